"""A FAISS index over item vectors: exact when small, approximate when large.

Inner product on the rows as given. Below :data:`APPROXIMATE_FROM` rows the
index is exact (``IndexFlatIP``); from there on it is an inverted file
(``IndexIVFFlat``) trained on a sample, which builds in seconds where HNSW
takes minutes, and runs on a GPU as well. The threshold and ``nprobe`` come
from ``benchmarks/faiss_scale.py``.

With a CUDA GPU and a GPU build of FAISS (``pip install faiss-gpu-cu12``
instead of ``faiss-cpu``) searches run on the GPU; the index is moved back
to the CPU before it is saved, so the file is the same either way.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import AssistantError

__all__ = ["APPROXIMATE_FROM", "VectorIndex"]

logger = logging.getLogger(__name__)

APPROXIMATE_FROM = 20_000
"""Catalogs with at least this many items get an approximate index."""
TRAIN_SAMPLE = 64
"""Training points per inverted list (FAISS asks for at least 39)."""


class VectorIndex:
    """Top-k inner-product search over a float32 matrix, persisted with FAISS.

    Args:
        index: a FAISS index (CPU); use :meth:`build` or :meth:`load`.
        use_gpu: search on the GPU when FAISS has one (default: when available).
    """

    def __init__(self, index: Any, *, use_gpu: bool | None = None) -> None:
        self._cpu = index
        gpu = _to_gpu(index) if use_gpu is not False else None
        self._search: Any = index if gpu is None else gpu

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        *,
        approximate_from: int = APPROXIMATE_FROM,
        nprobe: int | None = None,
        use_gpu: bool | None = None,
        seed: int = 7,
    ) -> VectorIndex:
        """Index ``vectors`` (one row per item); IVF when there are many."""
        faiss = _faiss()
        data = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dim = data.shape
        if count < approximate_from:
            index = faiss.IndexFlatIP(dim)
        else:
            lists = max(1, int(math.sqrt(count)))
            index = faiss.IndexIVFFlat(
                faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT
            )
            sample = min(count, lists * TRAIN_SAMPLE)
            rows = np.random.default_rng(seed).choice(count, sample, replace=False)
            index.train(data[np.sort(rows)])
            index.nprobe = nprobe or default_nprobe(lists)
        index.add(data)
        return cls(index, use_gpu=use_gpu)

    @classmethod
    def load(cls, path: Path, *, use_gpu: bool | None = None) -> VectorIndex:
        """Read an index written by :meth:`save`.

        Raises:
            AssistantError: the file is missing or not a FAISS index.
        """
        faiss = _faiss()
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise AssistantError(
                f"Cannot read the recommendation index {path}: {exc}. "
                "Delete it; it is rebuilt on the next recommendation."
            ) from exc
        return cls(index, use_gpu=use_gpu)

    @property
    def size(self) -> int:
        return int(self._cpu.ntotal)

    @property
    def approximate(self) -> bool:
        return not isinstance(self._cpu, _faiss().IndexFlat)

    @property
    def nprobe(self) -> int | None:
        """Inverted lists visited per query (None for an exact index)."""
        return getattr(self._cpu, "nprobe", None)

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        self._cpu.nprobe = value
        if self.on_gpu:
            self._search.nprobe = value

    @property
    def on_gpu(self) -> bool:
        return self._search is not self._cpu

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores and rows of the ``k`` best items per query; row -1 pads."""
        data = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, self.size))
        scores, rows = self._search.search(data, k)
        return scores, rows

    def save(self, path: Path) -> None:
        """Write the (CPU) index atomically: a temporary file, then a rename."""
        faiss = _faiss()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        index = faiss.index_gpu_to_cpu(self._search) if self.on_gpu else self._cpu
        try:
            faiss.write_index(index, str(temporary))
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


def default_nprobe(lists: int) -> int:
    """Inverted lists to visit: enough for recall@10 near 0.95 (measured)."""
    return max(1, min(lists, round(lists / 16)))


def _to_gpu(index: Any) -> Any | None:
    """A GPU copy of ``index`` when a GPU build of FAISS sees a GPU, else None."""
    faiss = _faiss()
    if not hasattr(faiss, "StandardGpuResources") or faiss.get_num_gpus() < 1:
        return None
    try:
        resources = faiss.StandardGpuResources()
        gpu_index = faiss.index_cpu_to_gpu(resources, 0, index)
    except RuntimeError:  # an index type the GPU build cannot take: stay on CPU
        logger.warning("FAISS could not move the index to the GPU", exc_info=True)
        return None
    gpu_index.referenced_resources = resources  # keep them alive with the index
    logger.info("Recommendation index searches on the GPU")
    return gpu_index


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:
        raise AssistantError(
            "Recommendations need FAISS: pip install faiss-cpu "
            "(or faiss-gpu-cu12 for a CUDA GPU)."
        ) from exc
    return faiss
