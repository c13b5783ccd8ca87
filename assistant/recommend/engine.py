"""The recommender: catalog, vectors, index and a user's taste, put together.

Built lazily on the first request and rebuilt when an import changes the
catalog or the ratings; the FAISS index is saved under
``<cache>/recommend/`` and reused while nothing changed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.recommend.catalog import Catalog, Item, load_default_items
from assistant.recommend.collab import AlsSettings, fit_item_factors, positives_matrix
from assistant.recommend.index import VectorIndex
from assistant.recommend.model import HybridModel, Weights
from assistant.recommend.ranking import mmr
from assistant.recommend.store import TasteStore
from assistant.recommend.vectors import ContentVectors, dequantise

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.models.embedder import Embedder

__all__ = ["Pick", "Recommender", "State"]

logger = logging.getLogger(__name__)

DEFAULT_FACTORS = "goodbooks_factors.npy"
DEFAULT_CONTENT = "goodbooks_content.npy"
CANDIDATES = 200
"""How many items the index returns before filtering and diversifying."""


@dataclass(frozen=True, slots=True)
class Pick:
    """One suggestion: the item, its score and why it was chosen."""

    row: int
    item: Item
    score: float
    because: str | None = None
    """The title of the liked or seed item it is closest to, if any."""


@dataclass(slots=True)
class State:
    """Everything built from the catalog; replaced as a whole on change."""

    catalog: Catalog
    model: HybridModel
    index: VectorIndex
    version: str
    seconds: dict[str, float] = field(default_factory=dict)


class Recommender:
    """Answers "what next?" for a user from the catalog and their taste.

    Args:
        settings: the assistant's settings (cache folder, embeddings).
        store: the recommender's tables.
        embedder: the shared sentence embedder (made on first use if None).
    """

    def __init__(
        self,
        settings: Settings,
        store: TasteStore,
        *,
        embedder: Embedder | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.weights = weights or Weights()
        self._embedder = embedder
        self._state: State | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from assistant.models.embedder import Embedder

            self._embedder = Embedder(self.settings.embeddings, self.settings.cache_dir)
        return self._embedder

    def state(self) -> State:
        """The current catalog, model and index; rebuilt if an import changed them."""
        version = self.store.version()
        with self._lock:
            if self._state is None or self._state.version != version:
                self._state = self._build(version)
            return self._state

    def embed(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed([text])[0], dtype=np.float32)

    def recommend(
        self,
        query: np.ndarray,
        *,
        count: int = 5,
        kind: str | None = None,
        exclude: Collection[int] = (),
        avoid: Collection[str] = (),
        reasons: Mapping[int, str] | None = None,
    ) -> list[Pick]:
        """The best ``count`` items for ``query``, varied, none of ``exclude``.

        Args:
            query: from :meth:`HybridModel.user_query` and friends.
            kind: only items of this kind.
            exclude: rows never to suggest (rated, dismissed, the seed).
            avoid: words the user is not into; items whose text has them drop.
            reasons: ``{row: title}`` of liked or seed items, to explain picks.
        """
        state = self.state()
        catalog, model = state.catalog, state.model
        wanted = CANDIDATES if kind is None else CANDIDATES * 4
        scores, rows = state.index.search(query, wanted + len(exclude))
        keep = [
            (row, score + model.prior[row])
            for row, score in zip(rows[0].tolist(), scores[0].tolist(), strict=True)
            if row >= 0
            and row not in exclude
            and (kind is None or catalog.items[row].kind == kind)
            and not _mentions(catalog.items[row], avoid)
        ]
        if not keep:
            return []
        found = np.array([row for row, _ in keep])
        relevance = np.array([score for _, score in keep])
        picked = mmr(found, relevance, model.content, count=count)
        by_row = dict(keep)
        return [
            Pick(
                row,
                catalog.items[row],
                float(by_row[row]),
                _closest(model, row, reasons or {}),
            )
            for row in picked
        ]

    def popular(
        self,
        *,
        count: int = 5,
        kind: str | None = None,
        exclude: Collection[int] = (),
        avoid: Collection[str] = (),
    ) -> list[Pick]:
        """Cold start: popular items, spread out by MMR."""
        state = self.state()
        items, model = state.catalog.items, state.model
        order = np.argsort(-model.popularity, kind="stable")
        rows = [
            int(row)
            for row in order
            if int(row) not in exclude
            and (kind is None or items[row].kind == kind)
            and not _mentions(items[row], avoid)
        ][:CANDIDATES]
        if not rows:
            return []
        found = np.array(rows)
        scores = model.popularity[found]
        picked = mmr(found, scores, model.content, count=count, balance=0.5)
        return [Pick(row, items[row], float(model.popularity[row])) for row in picked]

    def _build(self, version: str) -> State:
        started = time.perf_counter()
        seconds: dict[str, float] = {}
        default = load_default_items()
        imported = self.store.items()
        replaced = {item.key for item in imported}
        items = [i for i in default if i.key not in replaced] + imported
        catalog = Catalog(items)

        content = self._content(catalog, default, replaced)
        seconds["content"] = time.perf_counter() - started
        factors, popularity = self._factors(catalog, default, replaced)
        seconds["factors"] = time.perf_counter() - started - seconds["content"]
        model = HybridModel(content, factors, popularity, weights=self.weights)

        digest = hashlib.sha1(version.encode())
        digest.update(model.matrix.tobytes())
        path = self._folder / f"index-{digest.hexdigest()[:16]}.faiss"
        index = VectorIndex.load(path) if path.is_file() else None
        if index is None or index.size != len(catalog):
            index = VectorIndex.build(model.matrix)
            index.save(path)
            for old in self._folder.glob("index-*.faiss"):
                if old != path:  # built for a catalog that has changed since
                    old.unlink(missing_ok=True)
        seconds["total"] = time.perf_counter() - started
        logger.info("Recommender ready: %d items, %s", len(catalog), seconds)
        return State(catalog, model, index, version, seconds)

    @property
    def _folder(self) -> Any:
        return self.settings.cache_dir / "recommend"

    def _content(
        self, catalog: Catalog, default: list[Item], replaced: set[str]
    ) -> np.ndarray:
        """Content vectors: shipped for the default books, embedded for the rest.

        The shipped vectors are used only with the default embedder settings;
        with another encoder every text is embedded (and cached).
        """
        shipped = None
        embeddings = self.settings.embeddings
        if embeddings.encoder_path is None and not embeddings.quantize:
            data = resources.files("assistant.recommend") / "data" / DEFAULT_CONTENT
            with data.open("rb") as handle:
                shipped = dequantise(np.load(handle))
        rows: dict[int, np.ndarray] = {}
        if shipped is not None:
            for source_row, item in enumerate(default):
                row = catalog.row(item.key)
                if item.key not in replaced and row is not None:
                    rows[row] = shipped[source_row]
        missing = [row for row in range(len(catalog)) if row not in rows]
        if missing:
            texts = [catalog.items[row].text() for row in missing]
            fresh = ContentVectors(self.embedder, self._folder).vectors(texts)
            rows.update(zip(missing, fresh, strict=True))
        return np.stack([rows[row] for row in range(len(catalog))]).astype(np.float32)

    def _factors(
        self, catalog: Catalog, default: list[Item], replaced: set[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """ALS factors: shipped ones for the default books, fitted ones for imports.

        The two sets live in separate columns, so a user's likes of default
        books and of imported items are folded in independently.
        """
        shipped_file = resources.files("assistant.recommend") / "data" / DEFAULT_FACTORS
        with shipped_file.open("rb") as handle:
            shipped = np.load(handle).astype(np.float32)
        width = shipped.shape[1]
        factors = np.zeros((len(catalog), 2 * width), dtype=np.float32)
        for source_row, item in enumerate(default):
            row = catalog.row(item.key)
            if item.key not in replaced and row is not None:
                factors[row, :width] = shipped[source_row]
        popularity = np.array([item.popularity for item in catalog.items])

        ratings = self.store.ratings()
        rated = [(u, catalog.row(k), r) for u, k, r in ratings]
        rated = [(u, row, r) for u, row, r in rated if row is not None]
        if rated:
            users = {u: n for n, u in enumerate(sorted({u for u, _, _ in rated}))}
            matrix = positives_matrix(
                np.array([users[u] for u, _, _ in rated]),
                np.array([row for _, row, _ in rated]),
                np.array([r for _, _, r in rated]),
                (len(users), len(catalog)),
            )
            fitted = fit_item_factors(matrix, AlsSettings(factors=width))
            touched = np.unique(matrix.indices)
            factors[touched, width:] = fitted[touched]
            counts = np.bincount(matrix.indices, minlength=len(catalog))
            popularity = np.where(popularity > 0, popularity, counts)
        return factors, popularity


def _mentions(item: Item, terms: Collection[str]) -> bool:
    if not terms:
        return False
    text = item.text().lower()
    return any(term in text for term in terms)


def _closest(model: HybridModel, row: int, reasons: Mapping[int, str]) -> str | None:
    """The liked or seed item most like ``row`` (content and factors together)."""
    if not reasons:
        return None
    matrix = model.matrix
    best = max(reasons, key=lambda other: float(matrix[other] @ matrix[row]))
    return reasons[best]
