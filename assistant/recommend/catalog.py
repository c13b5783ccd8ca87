"""What can be recommended: items of several kinds, read from files.

The default catalog (books from goodbooks-10k) ships inside the package as
gzip JSON lines; users add their own with ``assistant catalog import``, from
CSV or JSON lines with the columns ``id, title`` and optionally ``creator``,
``year``, ``description``, ``tags``, ``kind`` and ``popularity``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

__all__ = [
    "KINDS",
    "Catalog",
    "CatalogError",
    "Item",
    "item_from_row",
    "load_default_items",
    "read_items",
    "read_ratings",
]

DEFAULT_FILE = "goodbooks.jsonl.gz"
KINDS = ("book", "film", "show", "music", "game", "podcast")
"""Kinds the request parser knows by name; an import may add any other."""

_KIND_ALIASES = {
    "books": "book", "novel": "book", "movie": "film", "movies": "film",
    "films": "film", "tv": "show", "series": "show", "shows": "show",
    "album": "music", "song": "music", "songs": "music", "games": "game",
    "podcasts": "podcast",
}  # fmt: skip
ACCEPT = 88.0
"""A title match at least this good is taken without asking."""
SUGGEST_FROM = 55.0
"""Titles scoring less than this are too far off to offer as "did you mean"."""
_SERIES = re.compile(r"\s*\(([^()]*?),?\s*#[\d.]+(?:-\d+)?\)\s*$")


class CatalogError(AssistantError):
    """A catalog or ratings file cannot be read; the message names the line."""


@dataclass(frozen=True, slots=True)
class Item:
    """Something that can be recommended."""

    key: str
    """Unique across kinds: ``"<kind>:<id>"``."""
    kind: str
    title: str
    creator: str = ""
    year: int | None = None
    tags: tuple[str, ...] = ()
    description: str = ""
    popularity: float = 0.0
    """How many people rated or bought it (any non-negative scale)."""

    @property
    def label(self) -> str:
        """How the item is named to the user: ``Dune by Frank Herbert``."""
        return f"{self.title} by {self.creator}" if self.creator else self.title

    def text(self) -> str:
        """What the content embedding reads."""
        parts = [self.title]
        if self.creator:
            parts.append(f"by {self.creator}")
        if self.year:
            parts.append(f"({self.year})")
        text = " ".join(parts) + f". A {self.kind}."
        if self.tags:
            text += " " + ", ".join(self.tags) + "."
        if self.description:
            text += " " + self.description
        return text


@dataclass(slots=True)
class Catalog:
    """All items, in a fixed order (the row of each item in the vector matrix)."""

    items: list[Item]
    _rows: dict[str, int] = field(init=False, repr=False)
    _titles: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rows = {item.key: row for row, item in enumerate(self.items)}
        self._titles = [normalise_title(item.title) for item in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def row(self, key: str) -> int | None:
        return self._rows.get(key)

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        return counts

    def match_title(
        self, text: str, *, kind: str | None = None, limit: int = 3
    ) -> list[tuple[int, float]]:
        """Rows of the items whose title best matches ``text``, best first.

        Candidates are found generously (rapidfuzz ``WRatio``) but scored
        strictly, 0-100: the similarity of the whole title (typos cost a
        little, missing words a lot), 90 for the first two thirds or more of a
        title, 100 for the exact title; below 55 a title is not offered
        unless it starts with the query.
        Sure matches (:data:`ACCEPT` and up) come first, then the others by
        the generous score and popularity.
        """
        from rapidfuzz import fuzz, process

        query = normalise_title(text)
        if not query:
            return []
        exact = [
            row
            for row, title in enumerate(self._titles)
            if title == query and (kind is None or self.items[row].kind == kind)
        ]
        if exact:
            exact.sort(key=lambda row: -self.items[row].popularity)
            return [(row, 100.0) for row in exact[:limit]]
        found = process.extract(
            query, self._titles, scorer=fuzz.WRatio, limit=limit * 8, score_cutoff=60
        )
        ranked = []
        for _, loose, row in found:
            if kind is not None and self.items[row].kind != kind:
                continue
            title = self._titles[row]
            strict = fuzz.ratio(query, title)
            if title.startswith(query) and 3 * len(query) >= 2 * len(title):
                strict = max(strict, 90.0)  # "harry potter and the goblet"
            if strict >= SUGGEST_FROM or title.startswith(query):
                ranked.append((row, float(strict), float(loose)))
        ranked.sort(
            key=lambda r: (
                -(r[1] if r[1] >= ACCEPT else 0),  # sure matches first
                -round(r[2]),  # then the loose match, e.g. every "Harry Potter"
                -self.items[r[0]].popularity,
            )
        )
        return [(row, strict) for row, strict, _ in ranked[:limit]]


def normalise_title(text: str) -> str:
    text = _SERIES.sub("", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"^(the|a|an)\s+", "", " ".join(text.split()))
    return text


def load_default_items() -> list[Item]:
    """The books shipped with the assistant (derived from goodbooks-10k)."""
    data = (resources.files("assistant.recommend") / "data" / DEFAULT_FILE).read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return [item_from_row(json.loads(line), "book") for line in lines if line]


def read_items(path: Path, *, kind: str | None = None) -> list[Item]:
    """Read a catalog file (CSV with a header, or JSON lines).

    Args:
        path: the file; ``.jsonl``/``.json`` is read as JSON lines, else CSV.
        kind: the kind of rows that have no ``kind`` column (default ``book``).

    Raises:
        CatalogError: the file cannot be read, or a row lacks an id or title.
    """
    items: list[Item] = []
    seen: set[str] = set()
    for number, row in _rows(path):
        item = item_from_row(row, _kind(kind or "book"), number)
        if item.key not in seen:
            seen.add(item.key)
            items.append(item)
    if not items:
        raise CatalogError(f"{path} holds no items; it needs 'id' and 'title' columns.")
    return items


def read_ratings(path: Path) -> list[tuple[str, str, float]]:
    """Read a ratings file: ``user, item, rating`` (1-5), or ``user, item`` events.

    Returns:
        ``(user, item id, rating)`` rows; an event without a rating counts as 5.

    Raises:
        CatalogError: the file cannot be read or a rating is not a number 0-5.
    """
    rows: list[tuple[str, str, float]] = []
    for number, row in _rows(path):
        user = str(row.get("user") or row.get("user_id") or "").strip()
        item = str(row.get("item") or row.get("item_id") or row.get("id") or "")
        value = row.get("rating", row.get("value"))
        if not user or not item.strip():
            raise CatalogError(f"{path}, line {number}: needs 'user' and 'item'.")
        try:
            rating = 5.0 if value in (None, "") else float(value)
        except (TypeError, ValueError):
            rating = math.nan
        if not 0 <= rating <= 5:
            raise CatalogError(
                f"{path}, line {number}: the rating {value!r} is not a number 0-5."
            )
        rows.append((user, item.strip(), rating))
    return rows


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path} is not UTF-8 text; save it as UTF-8.") from exc
    name = path.name.removesuffix(".gz")
    if name.endswith((".jsonl", ".json", ".ndjson")):
        yield from _json_rows(path, text.splitlines())
    else:
        reader = csv.DictReader(io.StringIO(text))
        for number, row in enumerate(reader, start=2):
            yield number, {k.strip().lower(): v for k, v in row.items() if k}


def _json_rows(
    path: Path, lines: Sequence[str]
) -> Iterable[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{path}, line {number}: not JSON ({exc.msg}).") from exc
        if not isinstance(row, dict):
            raise CatalogError(f"{path}, line {number}: expected a JSON object.")
        yield number, {str(k).lower(): v for k, v in row.items()}


def item_from_row(row: dict[str, Any], kind: str, number: int = 0) -> Item:
    """An item from a file's row; ``kind`` when the row names none.

    Raises:
        CatalogError: the row has no id or no title.
    """
    ident = str(row.get("id") or "").strip()
    title = str(row.get("title") or "").strip()
    if not ident or not title:
        raise CatalogError(f"Line {number}: every item needs an 'id' and a 'title'.")
    kind = _kind(str(row.get("kind") or kind))
    tags = row.get("tags") or ()
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[|;,]", tags)]
    return Item(
        key=f"{kind}:{ident}",
        kind=kind,
        title=title,
        creator=str(row.get("creator") or row.get("author") or "").strip(),
        year=_number(row.get("year"), int),
        tags=tuple(t.strip() for t in tags if str(t).strip()),
        description=str(row.get("description") or "").strip(),
        popularity=max(0.0, _number(row.get("popularity"), float) or 0.0),
    )


def _kind(text: str) -> str:
    word = text.strip().lower()
    return _KIND_ALIASES.get(word, word) or "book"


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return kind(number) if math.isfinite(number) else None
