"""The recommender's tables in the assistant's SQLite database.

``recommend_items`` holds imported catalog items (the default books ship as
a file), ``recommend_ratings`` imported ratings of other people (for the
collaborative factors), ``recommend_taste`` each user's own likes, dislikes,
star ratings and dismissals, and ``recommend_avoid`` what a user is not into
("horror").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.recommend.catalog import Item
from assistant.storage import Database

__all__ = ["MIGRATIONS", "Taste", "TasteStore"]

COMPONENT = "recommend"
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE recommend_items (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        creator TEXT NOT NULL DEFAULT '',
        year INTEGER,
        tags TEXT NOT NULL DEFAULT '[]',
        description TEXT NOT NULL DEFAULT '',
        popularity REAL NOT NULL DEFAULT 0,
        added_at TEXT NOT NULL
    );
    CREATE TABLE recommend_ratings (
        user TEXT NOT NULL,
        key TEXT NOT NULL,
        rating REAL NOT NULL,
        PRIMARY KEY (user, key)
    );
    CREATE TABLE recommend_taste (
        user TEXT NOT NULL,
        key TEXT NOT NULL,
        value REAL NOT NULL,
        stars INTEGER,
        source TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (user, key)
    );
    CREATE TABLE recommend_avoid (
        user TEXT NOT NULL,
        term TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user, term)
    );
    """,
)


@dataclass(frozen=True, slots=True)
class Taste:
    """One user's opinion of one item: ``value`` from -1 (hated) to 1 (loved)."""

    key: str
    value: float
    stars: int | None
    source: str


class TasteStore:
    """Reads and writes the recommender's tables."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.migrate(COMPONENT, MIGRATIONS)

    # -- the catalog ------------------------------------------------------------

    def add_items(self, items: Iterable[Item]) -> int:
        """Insert or replace imported items; returns how many were written."""
        now = _now()
        rows = [
            (i.key, i.kind, i.title, i.creator, i.year, json.dumps(list(i.tags)),
             i.description, i.popularity, now)
            for i in items
        ]  # fmt: skip
        with self.database.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO recommend_items (key, kind, title, creator,"
                " year, tags, description, popularity, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def items(self) -> list[Item]:
        rows = self.database.query(
            "SELECT key, kind, title, creator, year, tags, description, popularity"
            " FROM recommend_items ORDER BY rowid"
        )
        return [
            Item(
                key=r["key"], kind=r["kind"], title=r["title"], creator=r["creator"],
                year=r["year"], tags=tuple(json.loads(r["tags"])),
                description=r["description"], popularity=r["popularity"],
            )
            for r in rows
        ]  # fmt: skip

    def add_ratings(self, rows: Iterable[tuple[str, str, float]]) -> int:
        data = list(rows)
        with self.database.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO recommend_ratings (user, key, rating)"
                " VALUES (?, ?, ?)",
                data,
            )
        return len(data)

    def ratings(self) -> list[tuple[str, str, float]]:
        rows = self.database.query(
            "SELECT user, key, rating FROM recommend_ratings ORDER BY user, key"
        )
        return [(r["user"], r["key"], float(r["rating"])) for r in rows]

    def version(self) -> str:
        """Changes whenever imported items or ratings change."""
        (row,) = self.database.query(
            "SELECT (SELECT count(*) FROM recommend_items) AS items,"
            " (SELECT max(added_at) FROM recommend_items) AS added,"
            " (SELECT count(*) FROM recommend_ratings) AS ratings,"
            " (SELECT total(rating) FROM recommend_ratings) AS total"
        )
        return f"{row['items']}-{row['added']}-{row['ratings']}-{row['total']}"

    # -- a user's taste ----------------------------------------------------------

    def set_taste(
        self,
        user: str,
        key: str,
        value: float,
        *,
        stars: int | None = None,
        source: str,
    ) -> None:
        with self.database.transaction() as conn:
            conn.execute(
                "INSERT INTO recommend_taste (user, key, value, stars, source,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(user, key) DO UPDATE SET value = excluded.value,"
                " stars = excluded.stars, source = excluded.source,"
                " updated_at = excluded.updated_at",
                (user, key, value, stars, source, _now()),
            )

    def taste(self, user: str) -> list[Taste]:
        rows = self.database.query(
            "SELECT key, value, stars, source FROM recommend_taste WHERE user = ?"
            " ORDER BY updated_at",
            (user,),
        )
        return [Taste(r["key"], r["value"], r["stars"], r["source"]) for r in rows]

    def avoid(self, user: str, term: str) -> None:
        with self.database.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO recommend_avoid (user, term, created_at)"
                " VALUES (?, ?, ?)",
                (user, term, _now()),
            )

    def avoided(self, user: str) -> list[str]:
        rows = self.database.query(
            "SELECT term FROM recommend_avoid WHERE user = ? ORDER BY created_at",
            (user,),
        )
        return [r["term"] for r in rows]

    def forget(self, user: str) -> None:
        """Delete everything stored about ``user``'s taste."""
        with self.database.transaction() as conn:
            conn.execute("DELETE FROM recommend_taste WHERE user = ?", (user,))
            conn.execute("DELETE FROM recommend_avoid WHERE user = ?", (user,))


def _now() -> str:
    return datetime.now(UTC).isoformat()
