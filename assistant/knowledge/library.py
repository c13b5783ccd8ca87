"""The knowledge base: documents, passages, a FAISS index and an FTS5 index.

Passages and their vectors live in the assistant's database; the FAISS index
is a copy kept on disk under ``<home>/knowledge/`` and rebuilt from the
database whenever it is missing, damaged, stale or of another width.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.knowledge.chunking import Passage
from assistant.knowledge.ranking import fts_query, fuse, idf, query_terms
from assistant.knowledge.schema import MIGRATIONS
from assistant.knowledge.vectors import VectorIndex

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.storage import Database

__all__ = ["DocumentInfo", "Hit", "KnowledgeBase", "TextEmbedder"]

logger = logging.getLogger(__name__)

COMPONENT = "knowledge"
CANDIDATES = 100
"""How many results each half of the index hands to the fusion."""


class TextEmbedder(Protocol):
    """What the knowledge base needs from a sentence embedder."""

    @property
    def dim(self) -> int: ...

    @property
    def version(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> Any: ...


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """An indexed document."""

    path: str
    source: str
    passages: int
    indexed_at: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage found by a search, with where it comes from."""

    passage_id: int
    score: float
    path: str
    source: str
    heading: str
    text: str
    line: int | None
    page: int | None
    dense: float | None = None
    """Cosine similarity to the query, when the dense half found it."""


class KnowledgeBase:
    """Indexed passages of the user's documents (and the built-in help).

    Args:
        settings: the assistant's settings (home, embeddings, knowledge).
        database: the assistant's database.
        embedder: the sentence embedder; default: the shared MiniLM encoder,
            loaded on first use.
        notify: called with a line the user should see (an index rebuilt...).
    """

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        embedder: TextEmbedder | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.options = settings.knowledge
        self.database = database
        self.folder = settings.home / "knowledge"
        self.notify = notify or (lambda line: logger.info("%s", line))
        self._embedder = embedder
        self._vectors: VectorIndex | None = None
        self._loaded_generation = -1
        self._dirty = False
        self._lock = threading.RLock()
        self._df_cache: dict[str, int] = {}
        database.migrate(COMPONENT, MIGRATIONS)

    # -- the embedder and the vector index ----------------------------------------

    @property
    def embedder(self) -> TextEmbedder:
        if self._embedder is None:
            from assistant.models.embedder import Embedder

            self._embedder = Embedder(self.settings.embeddings, self.settings.cache_dir)
        return self._embedder

    def embed_passages(self, passages: Sequence[Passage]) -> Any:
        """The vectors of passages: the heading is embedded with the text."""
        return self.embedder.embed(
            [embedding_text(p.heading, p.text) for p in passages]
        )

    def embed_query(self, text: str) -> Any:
        return self.embedder.embed([text])[0]

    def _ready(self) -> VectorIndex:
        """The vector index, loaded or rebuilt to match the database."""
        with self._lock:
            generation = self.generation
            if self._vectors is not None and generation == self._loaded_generation:
                return self._vectors
            if self._dirty and self._vectors is not None:
                return self._vectors
            self._check_model()
            vectors = VectorIndex(self.folder, self.embedder.dim)
            if not vectors.load(generation):
                self._rebuild(vectors, generation)
            self._vectors = vectors
            self._loaded_generation = generation
            self._df_cache.clear()
            return vectors

    def _check_model(self) -> None:
        """Re-embed every passage when the stored vectors come from another model."""
        stored = self._state("model")
        current = self.embedder.version
        if stored == current:
            return
        count = self.passage_count
        if stored is not None and count:
            width = self._stored_width()
            self.notify(
                f"The knowledge index was built with another embedding model "
                f"({width}-wide vectors, now {self.embedder.dim}); "
                f"re-embedding {count} passages."
            )
            self._reembed_all()
        with self.database.transaction() as conn:
            self._set_state(conn, "model", current)

    def _stored_width(self) -> int:
        rows = self.database.query(
            "SELECT length(vector) AS size FROM knowledge_passages LIMIT 1"
        )
        return int(rows[0]["size"]) // 4 if rows else self.embedder.dim

    def _reembed_all(self) -> None:
        rows = self.database.query(
            "SELECT id, heading, text FROM knowledge_passages ORDER BY id"
        )
        for start in range(0, len(rows), 256):
            batch = rows[start : start + 256]
            texts = [embedding_text(r["heading"], r["text"]) for r in batch]
            vectors = self.embedder.embed(texts)
            with self.database.transaction() as conn:
                conn.executemany(
                    "UPDATE knowledge_passages SET vector = ? WHERE id = ?",
                    [(_blob(v), r["id"]) for r, v in zip(batch, vectors, strict=True)],
                )
        with self.database.transaction() as conn:
            self._bump(conn)

    def _rebuild(self, vectors: VectorIndex, generation: int) -> None:
        """Fill the FAISS index from the stored vectors and save it."""
        vectors.reset()
        count = self.passage_count
        if count:
            logger.info("Rebuilding the vector index from %d stored passages", count)
        last = 0
        while True:
            rows = self.database.query(
                "SELECT id, vector FROM knowledge_passages WHERE id > ? "
                "ORDER BY id LIMIT 5000",
                (last,),
            )
            if not rows:
                break
            ids = [int(r["id"]) for r in rows]
            matrix = np.stack([_vector(r["vector"]) for r in rows])
            vectors.add(ids, matrix)
            last = ids[-1]
        vectors.save(generation)

    def flush(self) -> None:
        """Save the vector index if passages changed since it was saved."""
        with self._lock:
            if self._dirty and self._vectors is not None:
                generation = self.generation
                self._vectors.save(generation)
                self._loaded_generation = generation
                self._dirty = False

    # -- documents --------------------------------------------------------------

    @property
    def generation(self) -> int:
        return int(self._state("generation") or 0)

    @property
    def passage_count(self) -> int:
        rows = self.database.query("SELECT count(*) AS n FROM knowledge_passages")
        return int(rows[0]["n"])

    def has_own_documents(self) -> bool:
        """Whether anything besides the built-in help pages is indexed."""
        from assistant.knowledge.indexer import BUILTIN_PREFIX  # imports this module

        rows = self.database.query(
            "SELECT 1 FROM knowledge_documents WHERE substr(path, 1, ?) != ? LIMIT 1",
            (len(BUILTIN_PREFIX), BUILTIN_PREFIX),
        )
        return bool(rows)

    def documents(self, source: str | None = None) -> list[DocumentInfo]:
        """Indexed documents, by path."""
        rows = self.database.query(
            "SELECT d.path, d.source, d.indexed_at, count(p.id) AS passages "
            "FROM knowledge_documents d "
            "LEFT JOIN knowledge_passages p ON p.document_id = d.id "
            "WHERE ? IS NULL OR d.source = ? GROUP BY d.id ORDER BY d.path",
            (source, source),
        )
        return [
            DocumentInfo(r["path"], r["source"], int(r["passages"]), r["indexed_at"])
            for r in rows
        ]

    def fingerprint(self, path: str) -> tuple[int, int, str] | None:
        """(size, mtime_ns, sha256) of an indexed document, or None."""
        rows = self.database.query(
            "SELECT size, mtime_ns, sha256 FROM knowledge_documents WHERE path = ?",
            (path,),
        )
        if not rows:
            return None
        return int(rows[0]["size"]), int(rows[0]["mtime_ns"]), rows[0]["sha256"]

    def touch(self, path: str, *, size: int, mtime_ns: int) -> None:
        """Record a new size or time for a document whose content is unchanged."""
        with self.database.transaction() as conn:
            conn.execute(
                "UPDATE knowledge_documents SET size = ?, mtime_ns = ? WHERE path = ?",
                (size, mtime_ns, path),
            )

    def put_document(
        self,
        path: str,
        passages: Sequence[Passage],
        *,
        source: str = "user",
        size: int = 0,
        mtime_ns: int = 0,
        sha256: str = "",
        vectors: Any = None,
    ) -> list[int]:
        """Add or replace one document's passages; returns their new ids."""
        if vectors is None:
            vectors = self.embed_passages(passages)
        index = self._ready()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self.database.transaction() as conn:
            old = self._delete_document(conn, path)
            cursor = conn.execute(
                "INSERT INTO knowledge_documents "
                "(path, source, size, mtime_ns, sha256, indexed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (path, source, size, mtime_ns, sha256, now),
            )
            document_id = cursor.lastrowid
            ids: list[int] = []
            for ordinal, (passage, vector) in enumerate(
                zip(passages, vectors, strict=True)
            ):
                cursor = conn.execute(
                    "INSERT INTO knowledge_passages (document_id, ordinal, heading, "
                    "text, line, page, vector) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        document_id,
                        ordinal,
                        passage.heading,
                        passage.text,
                        passage.line,
                        passage.page,
                        _blob(vector),
                    ),
                )
                ids.append(int(cursor.lastrowid or 0))
            conn.executemany(
                "INSERT INTO knowledge_fts (rowid, heading, text) VALUES (?, ?, ?)",
                [(i, p.heading, p.text) for i, p in zip(ids, passages, strict=True)],
            )
            self._bump(conn)
            index.remove(old)
            index.add(ids, np.asarray(vectors, dtype=np.float32).reshape(-1, index.dim))
            self._dirty = True
            self._df_cache.clear()
        return ids

    def remove_documents(self, paths: Sequence[str]) -> int:
        """Drop documents and their passages; returns how many passages went."""
        index = self._ready()
        with self._lock, self.database.transaction() as conn:
            removed: list[int] = []
            for path in paths:
                removed.extend(self._delete_document(conn, path))
            if not removed and not paths:
                return 0
            self._bump(conn)
            index.remove(removed)
            self._dirty = True
            self._df_cache.clear()
        return len(removed)

    def _delete_document(self, conn: sqlite3.Connection, path: str) -> list[int]:
        ids = [
            int(row[0])
            for row in conn.execute(
                "SELECT p.id FROM knowledge_passages p JOIN knowledge_documents d "
                "ON p.document_id = d.id WHERE d.path = ?",
                (path,),
            )
        ]
        conn.executemany(
            "DELETE FROM knowledge_fts WHERE rowid = ?", [(i,) for i in ids]
        )
        conn.execute(
            "DELETE FROM knowledge_passages WHERE document_id IN "
            "(SELECT id FROM knowledge_documents WHERE path = ?)",
            (path,),
        )
        conn.execute("DELETE FROM knowledge_documents WHERE path = ?", (path,))
        return ids

    # -- searching -------------------------------------------------------------

    def dense(self, vector: Any, k: int = CANDIDATES) -> list[tuple[int, float]]:
        """Passage ids by cosine similarity to a query vector."""
        return self._ready().search(vector, k)

    def keyword(
        self, terms: Sequence[str], k: int = CANDIDATES
    ) -> list[tuple[int, float]]:
        """Passage ids by BM25 (FTS5) for any of the terms; higher is better."""
        if not terms:
            return []
        weight = self.options.heading_weight
        rows = self.database.query(
            "SELECT rowid AS id, -bm25(knowledge_fts, ?, 1.0) AS score "
            "FROM knowledge_fts WHERE knowledge_fts MATCH ? "
            "ORDER BY bm25(knowledge_fts, ?, 1.0) LIMIT ?",
            (weight, fts_query(terms), weight, k),
        )
        return [(int(r["id"]), float(r["score"])) for r in rows]

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        vector: Any = None,
        source: str | None = None,
        ignore: Iterable[str] = (),
        method: str | None = None,
    ) -> list[Hit]:
        """The passages that best match ``query``, dense and keyword fused.

        Args:
            query: the words to look for.
            limit: how many hits.
            vector: the query's embedding, when already computed.
            source: only documents of this source (``user`` or ``builtin``).
            ignore: words to leave out of the keyword query ("find", "notes"...).
            method: ``rrf``, ``weighted``, ``dense`` or ``keyword``; default
                from the settings.
        """
        method = method or self.options.fusion
        if vector is None:
            vector = self.embed_query(query)
        wanted = CANDIDATES if source is None else CANDIDATES * 3
        dense = [] if method == "keyword" else self.dense(vector, wanted)
        keyword = (
            []
            if method == "dense"
            else self.keyword(query_terms(query, ignore=ignore), wanted)
        )
        if method in ("dense", "keyword"):
            ranked = dense or keyword
        else:
            ranked = fuse(
                dense,
                keyword,
                method=method,
                rrf_k=self.options.rrf_k,
                dense_weight=self.options.dense_weight,
            )
        cosine = dict(dense)
        hits: list[Hit] = []
        details = self.passages([item for item, _ in ranked[: limit * 4 + 20]])
        for item, score in ranked:
            row = details.get(item)
            if row is None or (source is not None and row["source"] != source):
                continue
            hits.append(_hit(row, score, cosine.get(item)))
            if len(hits) >= limit:
                break
        return hits

    def passages(self, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
        """Passage rows (with path and source) by id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.database.query(
            "SELECT p.id, p.heading, p.text, p.line, p.page, d.path, d.source "
            "FROM knowledge_passages p JOIN knowledge_documents d "
            f"ON p.document_id = d.id WHERE p.id IN ({marks})",
            tuple(ids),
        )
        return {int(r["id"]): r for r in rows}

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each term over the passages."""
        total = max(1, self.passage_count)
        result: dict[str, float] = {}
        for term in terms:
            if term not in self._df_cache:
                rows = self.database.query(
                    "SELECT count(*) AS n FROM knowledge_fts "
                    "WHERE knowledge_fts MATCH ?",
                    (fts_query([term]),),
                )
                self._df_cache[term] = int(rows[0]["n"])
            result[term] = idf(self._df_cache[term], total)
        return result

    # -- feedback ----------------------------------------------------------------

    def add_feedback(
        self,
        *,
        user: str,
        question: str,
        passage_id: int,
        sentence: str,
        rating: int,
    ) -> None:
        """Remember that ``user`` rated this answer to this question."""
        vector = self.embed_query(question)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.database.transaction() as conn:
            conn.execute(
                "INSERT INTO knowledge_feedback (user, question, vector, passage_id, "
                "sentence, rating, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user, question, _blob(vector), passage_id, sentence, rating, now),
            )

    def feedback_near(
        self, user: str, vector: Any, *, min_similarity: float
    ) -> list[tuple[int, str, int, float]]:
        """Ratings by ``user`` of answers to similar questions.

        Returns:
            (passage id, sentence, rating, similarity) for each rating whose
            question is at least ``min_similarity`` similar to ``vector``.
        """
        rows = self.database.query(
            "SELECT passage_id, sentence, rating, vector FROM knowledge_feedback "
            "WHERE user = ? ORDER BY id",
            (user,),
        )
        found = []
        for row in rows:
            stored = _vector(row["vector"])
            if stored.shape != np.shape(vector):
                continue
            similarity = float(stored @ vector)
            if similarity >= min_similarity:
                found.append(
                    (
                        int(row["passage_id"]),
                        row["sentence"],
                        int(row["rating"]),
                        similarity,
                    )
                )
        return found

    def forget(self, user: str) -> None:
        """Delete every rating ``user`` gave."""
        with self.database.transaction() as conn:
            conn.execute("DELETE FROM knowledge_feedback WHERE user = ?", (user,))

    # -- state -------------------------------------------------------------------

    def _state(self, key: str) -> str | None:
        rows = self.database.query(
            "SELECT value FROM knowledge_state WHERE key = ?", (key,)
        )
        return str(rows[0]["value"]) if rows else None

    def _set_state(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO knowledge_state (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _bump(self, conn: sqlite3.Connection) -> None:
        row = conn.execute(
            "SELECT value FROM knowledge_state WHERE key = 'generation'"
        ).fetchone()
        self._set_state(conn, "generation", str(int(row[0] if row else 0) + 1))


def embedding_text(heading: str, text: str) -> str:
    """What is embedded for a passage: its heading, then its text."""
    return f"{heading}\n{text}" if heading else text


def _hit(row: sqlite3.Row, score: float, dense: float | None) -> Hit:
    return Hit(
        passage_id=int(row["id"]),
        score=score,
        path=row["path"],
        source=row["source"],
        heading=row["heading"],
        text=row["text"],
        line=row["line"],
        page=row["page"],
        dense=dense,
    )


def _blob(vector: Any) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _vector(blob: bytes) -> Any:
    return np.frombuffer(blob, dtype=np.float32)
