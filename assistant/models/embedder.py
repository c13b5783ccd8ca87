"""Sentence embeddings for retrieval: the plain (not fine-tuned) encoder, via ONNX.

Search, answers and recommendations share one :class:`Embedder`. The first
use exports the encoder to ONNX into the cache (a few seconds, needs torch
once); later starts load the ONNX file alone. Vectors are L2-normalised, so
an inner product is a cosine similarity.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import EmbeddingSettings
from assistant.errors import ModelError
from assistant.models.encoder import (
    TOKENIZER_FILE,
    EncoderSession,
    check_encoder_folder,
    default_encoder_path,
    encoder_identity,
    export_onnx,
    load_torch_encoder,
)

__all__ = ["Embedder"]

logger = logging.getLogger(__name__)

MODEL_FILE = "encoder.onnx"


class Embedder:
    """Embeds texts as unit vectors; loads (or exports) the model on first use.

    Args:
        settings: which encoder, how many tokens, int8 or not.
        cache_dir: the user's cache folder; the ONNX export lives under
            ``<cache_dir>/embedder/<key>``.
        threads: CPU threads per call; default: all cores.

    Raises:
        ModelError: (on first use) the encoder cannot be found or exported.
    """

    def __init__(
        self,
        settings: EmbeddingSettings,
        cache_dir: Path,
        *,
        threads: int | None = None,
    ) -> None:
        self.settings = settings
        self.encoder_path = check_encoder_folder(
            settings.encoder_path or default_encoder_path()
        )
        self.folder = cache_dir / "embedder" / self.version
        self._threads = threads
        self._session: EncoderSession | None = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """Changes whenever the vectors would: other weights, length or int8."""
        config = (self.encoder_path / "config.json").read_bytes()
        digest = hashlib.sha256(config)
        digest.update(encoder_identity(self.settings.encoder_path).encode())
        digest.update(f"{self.settings.max_tokens}:{self.settings.quantize}".encode())
        return digest.hexdigest()[:16]

    @property
    def dim(self) -> int:
        """The width of a vector."""
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> Any:
        """One unit-length float32 row per text (shape ``len(texts) x dim``)."""
        session = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = session.embed(list(texts), batch_size=self.settings.batch_size)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.maximum(norms, 1e-12)
        self._dim = int(vectors.shape[1])
        return vectors.astype(np.float32, copy=False)

    def _load(self) -> EncoderSession:
        with self._lock:
            if self._session is None:
                if not (self.folder / MODEL_FILE).is_file():
                    self._export()
                self._session = EncoderSession(
                    self.folder / MODEL_FILE,
                    self.folder / TOKENIZER_FILE,
                    max_tokens=self.settings.max_tokens,
                    threads=self._threads,
                )
            return self._session

    def _export(self) -> None:
        """Write the ONNX model to a staging folder, then rename it into place."""
        logger.info("Preparing the sentence encoder in %s", self.folder)
        staging = self.folder.with_name(f"{self.folder.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            encoder = load_torch_encoder(self.encoder_path).eval()
            export_onnx(encoder, staging / MODEL_FILE, quantize=self.settings.quantize)
            shutil.copy(self.encoder_path / TOKENIZER_FILE, staging / TOKENIZER_FILE)
            meta = {"encoder": str(self.encoder_path), **self.settings.model_dump()}
            (staging / "meta.json").write_text(json.dumps(meta, default=str))
            try:
                staging.rename(self.folder)
            except OSError:  # another process finished first: use theirs
                if not (self.folder / MODEL_FILE).is_file():
                    raise
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"Cannot prepare the sentence encoder: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
