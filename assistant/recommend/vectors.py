"""Content vectors: MiniLM embeddings of each item's text, cached on disk.

The cache maps a hash of the text to its vector, so importing a catalog
embeds only the new items. It lives in ``<cache>/recommend/`` and is
written atomically.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.models.embedder import Embedder

__all__ = ["ContentVectors", "dequantise", "quantise"]

logger = logging.getLogger(__name__)


class ContentVectors:
    """Embeds item texts once and keeps the vectors.

    Args:
        embedder: the shared sentence embedder.
        folder: where the cache file lives.
    """

    def __init__(self, embedder: Embedder, folder: Path) -> None:
        self.embedder = embedder
        self.path = folder / f"content-{embedder.version}.npz"

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, embedding only those not cached yet."""
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest()[:20] for t in texts]
        known = self._read()
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True)
                          if k not in known}.items())  # fmt: skip
        if missing:
            started = time.perf_counter()
            fresh = self.embedder.embed([text for _, text in missing])
            known.update(
                {key: vec for (key, _), vec in zip(missing, fresh, strict=True)}
            )
            logger.info(
                "Embedded %d item texts in %.1f s",
                len(missing),
                time.perf_counter() - started,
            )
            self._write(known)
        return np.stack([known[k] for k in keys]).astype(np.float32)

    def _read(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path) as data:
                return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            return {}

    def _write(self, known: dict[str, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.stem}.tmp-{os.getpid()}.npz")
        keys = sorted(known)
        try:
            np.savez(
                temporary,
                keys=np.array(keys),
                vectors=np.stack([known[k] for k in keys]).astype(np.float16),
            )
            os.replace(temporary, self.path)
        finally:
            temporary.unlink(missing_ok=True)


def quantise(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors as int8 (each row scaled to its largest component)."""
    largest = np.abs(vectors).max(axis=1, keepdims=True)
    codes: np.ndarray = np.round(vectors / np.maximum(largest, 1e-12) * 127)
    return codes.astype(np.int8)


def dequantise(codes: np.ndarray) -> np.ndarray:
    """Back to unit float32 vectors (cosines within about 0.001 of the original)."""
    vectors: np.ndarray = codes.astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return unit
