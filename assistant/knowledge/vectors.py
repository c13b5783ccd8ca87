"""The dense half of the index: a FAISS inner-product index keyed by passage id.

The database is the source of truth; the FAISS file is a copy that is cheap to
rebuild. Its name carries the database's change counter and the vector width
(``passages-<generation>-<dim>.faiss``), so a file left behind by a process
killed mid-index, or built for another model, is never used: it is rebuilt
from the vectors stored with the passages. Files are written under a temporary
name and renamed into place.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["VectorIndex"]

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^passages-(\d+)-(\d+)\.faiss$")


class VectorIndex:
    """An ``IndexIDMap2`` over an exact ``IndexFlatIP``: ids are passage ids.

    Args:
        folder: where the index file lives.
        dim: the width of the vectors.
    """

    def __init__(self, folder: Path, dim: int) -> None:
        self.folder = folder
        self.dim = dim
        self._index: Any = None

    @property
    def size(self) -> int:
        return 0 if self._index is None else int(self._index.ntotal)

    def load(self, generation: int) -> bool:
        """Load the file saved at ``generation``; False when it is missing or bad."""
        import faiss

        path = self._path(generation)
        if not path.is_file():
            return False
        try:
            index = faiss.read_index(str(path))
        except (RuntimeError, OSError) as exc:
            logger.warning("The vector index %s is damaged (%s); rebuilding", path, exc)
            return False
        if index.d != self.dim:
            return False
        self._index = index
        return True

    def reset(self) -> None:
        """Start empty."""
        import faiss

        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def add(self, ids: Sequence[int], vectors: Any) -> None:
        if self._index is None:
            self.reset()
        if len(ids):
            matrix = np.ascontiguousarray(vectors, dtype=np.float32)
            self._index.add_with_ids(matrix, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: Sequence[int]) -> None:
        if self._index is not None and len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, vector: Any, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest passage ids with their cosine similarity."""
        if self._index is None or self.size == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        scores, ids = self._index.search(query, min(k, self.size))
        return [
            (int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0
        ]

    def reconstruct(self, passage_id: int) -> Any:
        """The stored vector of one passage (for checks)."""
        return self._index.reconstruct(int(passage_id))

    def save(self, generation: int) -> None:
        """Write the index for ``generation`` atomically and drop older files."""
        import faiss

        if self._index is None:
            self.reset()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(generation)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        faiss.write_index(self._index, str(temp))
        os.replace(temp, path)
        for other in self.folder.iterdir():
            if other != path and (
                _NAME.match(other.name) or other.name.endswith(".tmp")
            ):
                other.unlink(missing_ok=True)

    def _path(self, generation: int) -> Path:
        return self.folder / f"passages-{generation}-{self.dim}.faiss"
