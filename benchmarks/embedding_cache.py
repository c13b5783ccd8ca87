"""A file cache of sentence vectors for the benchmarks (the corpora take minutes).

Vectors are keyed by a hash of the exact text and the embedder's version, kept
in one ``.npz`` file under the system temp folder, and reused between runs.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import EmbeddingSettings
from assistant.models.embedder import Embedder

__all__ = ["CachedEmbedder"]


class CachedEmbedder:
    """Wraps :class:`Embedder`; texts seen before are not embedded again."""

    def __init__(self, name: str, cache_dir: Path | None = None) -> None:
        base = Path(tempfile.gettempdir()) / "assistant-bench"
        self.embedder = Embedder(EmbeddingSettings(), cache_dir or base / "models")
        self.path = base / f"{name}-{self.embedder.version}.npz"
        self.keys: dict[str, int] = {}
        self.rows: list[Any] = []
        if self.path.is_file():
            stored = np.load(self.path)
            for index, key in enumerate(stored["keys"]):
                self.keys[str(key)] = index
            self.rows = list(stored["vectors"])
        self.embedded = 0
        self.seconds = 0.0
        self._saved_at = 0

    @property
    def dim(self) -> int:
        return self.embedder.dim

    @property
    def version(self) -> str:
        return self.embedder.version

    def embed(self, texts: Sequence[str], *, save_every: int = 2048) -> Any:
        """One unit vector per text, embedding only the texts not cached."""
        hashes = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = sorted(
            {
                h: t for h, t in zip(hashes, texts, strict=True) if h not in self.keys
            }.items()
        )
        for start in range(0, len(missing), save_every):
            batch = missing[start : start + save_every]
            began = time.perf_counter()
            vectors = self.embedder.embed([t for _, t in batch])
            self.seconds += time.perf_counter() - began
            self.embedded += len(batch)
            for (key, _), vector in zip(batch, vectors, strict=True):
                self.keys[key] = len(self.rows)
                self.rows.append(vector)
            if self.embedded - self._saved_at >= save_every:
                self.save()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.rows[self.keys[h]] for h in hashes]).astype(np.float32)

    def save(self) -> None:
        self._saved_at = self.embedded
        if not self.rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self.keys, key=self.keys.__getitem__))
        temp = self.path.with_suffix(".tmp.npz")
        np.savez(temp, keys=keys, vectors=np.stack(self.rows))
        temp.replace(self.path)
