"""Turn CTranslate2 Whisper weights into an openai-whisper checkpoint, once.

``model.bin`` is a small header followed by named tensors (name, rank, shape,
dtype code, byte count, raw bytes) and a table of aliases. The names follow
CTranslate2's ``WhisperSpec``; they map one to one onto openai-whisper's
state-dict keys, except that attention projections are fused (query, key and
value in one matrix) and must be split. The model's dimensions are read off
the tensor shapes. The result is written atomically and reused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.voice.errors import SpeechModelError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["convert_ct2_whisper", "read_ct2_model"]

logger = logging.getLogger(__name__)

_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_LAYER_NORM = {"gamma": "weight", "beta": "bias"}


def read_ct2_model(path: Path) -> dict[str, NDArray[Any]]:
    """The named tensors of a CTranslate2 ``model.bin`` (aliases resolved).

    Raises:
        SpeechModelError: the file is not a CTranslate2 model this code reads.
    """
    data = path.read_bytes()
    reader = _Reader(data)
    version = reader.unpack("<I")
    name = reader.string()
    reader.unpack("<I")  # revision
    if version < 5 or not name.startswith("Whisper"):
        raise SpeechModelError(
            f"{path} is not a CTranslate2 Whisper model (version {version}, {name!r})."
        )
    tensors: dict[str, NDArray[Any]] = {}
    for _ in range(reader.unpack("<I")):
        key = reader.string()
        shape = [reader.unpack("<I") for _ in range(reader.unpack("<B"))]
        dtype = _DTYPES[reader.unpack("<B")]
        raw = reader.take(reader.unpack("<I"))
        if dtype == "bfloat16":
            bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            tensors[key] = bits.view(np.float32).reshape(shape)
        else:
            tensors[key] = np.frombuffer(raw, dtype=dtype).reshape(shape)
    for _ in range(reader.unpack("<I")):
        alias, target = reader.string(), reader.string()
        tensors[alias] = tensors[target]
    return tensors


def convert_ct2_whisper(folder: Path, cache_dir: Path) -> Path:
    """The openai-whisper checkpoint for the CTranslate2 model in ``folder``.

    Converted on first use into ``cache_dir`` (named by a hash of the weights)
    and reused afterwards.

    Raises:
        SpeechModelError: the folder holds no readable Whisper model.
    """
    source = folder / "model.bin"
    if not source.is_file():
        raise SpeechModelError(f"{folder} holds no model.bin (CTranslate2 weights).")
    stat = source.stat()
    key = hashlib.sha256(
        f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    )
    target = cache_dir / f"whisper-{key.hexdigest()[:16]}.pt"
    if target.is_file():
        return target

    import torch

    logger.info("Converting %s for openai-whisper into %s", source, target)
    state, dims = _state_dict(read_ct2_model(source))
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    os.close(handle)
    try:
        torch.save({"dims": dims, "model_state_dict": state}, temporary)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def _state_dict(
    tensors: dict[str, NDArray[Any]],
) -> tuple[dict[str, Any], dict[str, int]]:
    import torch

    state: dict[str, Any] = {}
    for name, value in tensors.items():
        for key, array in _renamed(name, value):
            state[key] = torch.from_numpy(np.array(array, dtype=np.float32))

    def count(side: str) -> int:
        pattern = re.compile(rf"{side}/layer_(\d+)/")
        return 1 + max(int(m.group(1)) for k in tensors if (m := pattern.match(k)))

    n_audio_ctx, n_audio_state = tensors["encoder/position_encodings/encodings"].shape
    n_vocab, n_text_state = tensors["decoder/embeddings/weight"].shape
    dims = {
        "n_mels": int(tensors["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(n_audio_ctx),
        "n_audio_state": int(n_audio_state),
        "n_audio_head": int(tensors["encoder/num_heads"]),
        "n_audio_layer": count("encoder"),
        "n_vocab": int(n_vocab),
        "n_text_ctx": int(tensors["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(n_text_state),
        "n_text_head": int(tensors["decoder/num_heads"]),
        "n_text_layer": count("decoder"),
    }
    return state, dims


def _renamed(name: str, value: NDArray[Any]) -> list[tuple[str, NDArray[Any]]]:
    """openai-whisper keys and tensors for one CTranslate2 tensor (none: unused)."""
    fixed = {
        "encoder/position_encodings/encodings": "encoder.positional_embedding",
        "decoder/position_encodings/encodings": "decoder.positional_embedding",
        "decoder/embeddings/weight": "decoder.token_embedding.weight",
    }
    if name in fixed:
        return [(fixed[name], value)]
    parts = name.split("/")
    side, rest = parts[0], parts[1:]
    if rest[0] in ("conv1", "conv2"):
        return [(f"{side}.{rest[0]}.{rest[1]}", value)]
    if rest[0] == "layer_norm":
        final = "ln_post" if side == "encoder" else "ln"
        return [(f"{side}.{final}.{_LAYER_NORM[rest[1]]}", value)]
    if not rest[0].startswith("layer_") or value.ndim == 0:
        return []  # flags, head counts, projection alias
    block = f"{side}.blocks.{rest[0].removeprefix('layer_')}"
    return _block_tensor(block, rest[1:], value)


def _block_tensor(
    block: str, parts: list[str], value: NDArray[Any]
) -> list[tuple[str, NDArray[Any]]]:
    module, sub = parts[0], parts[1]
    attention = {"self_attention": "attn", "attention": "cross_attn"}
    if sub == "layer_norm":
        norm = {"self_attention": "attn_ln", "attention": "cross_attn_ln"}
        owner = norm.get(module, "mlp_ln")
        return [(f"{block}.{owner}.{_LAYER_NORM[parts[2]]}", value)]
    kind = parts[2]
    if module == "ffn":
        index = {"linear_0": 0, "linear_1": 2}[sub]
        return [(f"{block}.mlp.{index}.{kind}", value)]
    owner = f"{block}.{attention[module]}"
    if sub == "linear_0" and module == "self_attention":
        return _split(owner, ("query", "key", "value"), kind, value)
    if sub == "linear_1" and module == "attention":
        return _split(owner, ("key", "value"), kind, value)
    role = {"linear_0": "query", "linear_1": "out", "linear_2": "out"}[sub]
    return [(f"{owner}.{role}.{kind}", value)]


def _split(
    owner: str, roles: tuple[str, ...], kind: str, value: NDArray[Any]
) -> list[tuple[str, NDArray[Any]]]:
    pieces = np.split(value, len(roles), axis=0)
    return [
        (f"{owner}.{role}.{kind}", piece)
        for role, piece in zip(roles, pieces, strict=True)
        if not (role == "key" and kind == "bias")  # openai-whisper's key has none
    ]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return int(value)

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        if len(chunk) != size:
            raise SpeechModelError("The model file ends early; it is truncated.")
        self.pos += size
        return chunk

    def string(self) -> str:
        size = self.unpack("<H")
        return self.take(size)[:-1].decode("utf-8")
