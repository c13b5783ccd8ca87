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
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

__all__ = [
    "KINDS",
    "YEARS",
    "Catalog",
    "CatalogError",
    "CatalogFile",
    "Duplicate",
    "Item",
    "item_from_row",
    "load_default_items",
    "read_catalog",
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
YEARS = (-5000, 3000)
"""The years an item may have; others are refused on import."""
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


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A row whose id an earlier row of the same file already had."""

    line: int
    key: str
    first_line: int
    """The line of the row that was kept."""


@dataclass(frozen=True, slots=True)
class CatalogFile:
    """What a catalog file holds: its items, and the rows skipped as duplicates."""

    items: list[Item]
    duplicates: list[Duplicate]


def read_catalog(path: Path, *, kind: str | None = None) -> CatalogFile:
    """Read a catalog file (CSV with a header, or JSON lines).

    A row whose kind and id an earlier row already had is skipped: the first
    row of each id is kept, the others are listed in ``duplicates``.

    Args:
        path: the file; ``.jsonl``/``.json`` is read as JSON lines, else CSV;
            either may be gzipped (``.gz``).
        kind: the kind of rows that have no ``kind`` column (default ``book``).

    Raises:
        CatalogError: the file cannot be read, or a row lacks an id or title or
            has a field of the wrong type; the message names the file and line.
    """
    items: list[Item] = []
    duplicates: list[Duplicate] = []
    first: dict[str, int] = {}
    for number, row in _rows(path):
        item = item_from_row(row, _kind(kind or "book"), number, source=str(path))
        if item.key in first:
            duplicates.append(Duplicate(number, item.key, first[item.key]))
            continue
        first[item.key] = number
        items.append(item)
    if not items:
        raise CatalogError(f"{path} holds no items; it needs 'id' and 'title' columns.")
    return CatalogFile(items, duplicates)


def read_items(path: Path, *, kind: str | None = None) -> list[Item]:
    """The items of a catalog file; see :func:`read_catalog` (duplicates dropped)."""
    return read_catalog(path, kind=kind).items


def read_ratings(path: Path) -> list[tuple[str, str, float]]:
    """Read a ratings file: ``user, item, rating`` (1-5), or ``user, item`` events.

    Returns:
        ``(user, item id, rating)`` rows; an event without a rating counts as 5.

    Raises:
        CatalogError: the file cannot be read or a rating is not a number 0-5.
    """
    rows: list[tuple[str, str, float]] = []
    for number, row in _rows(path):
        where = f"{path}, line {number}"
        user = _text(_first(row, "user", "user_id"), "the user", where)
        item = _text(_first(row, "item", "item_id", "id"), "the item", where)
        value = row.get("rating", row.get("value"))
        if not user or not item:
            raise CatalogError(f"{path}, line {number}: needs 'user' and 'item'.")
        try:
            rating = 5.0 if value in (None, "") else float(value)
        except (TypeError, ValueError, OverflowError):
            rating = math.nan
        if not 0 <= rating <= 5:
            raise CatalogError(
                f"{path}, line {number}: the rating {value!r} is not a number 0-5."
            )
        rows.append((user, item, rating))
    return rows


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise CatalogError(
                f"{path} is not a gzip file, or it is damaged; if it is plain text,"
                " drop the '.gz' from its name."
            ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path} is not UTF-8 text; save it as UTF-8.") from exc
    name = path.name.removesuffix(".gz")
    if name.endswith((".jsonl", ".json", ".ndjson")):
        yield from _json_rows(path, text.splitlines())
    else:
        yield from _csv_rows(path, text)


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows by the line they start on; a quote left open is an error, not a field."""
    # no field can be longer than the file: long descriptions are fine
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text), strict=True)
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            return
        names = [name.strip().lower() for name in header]
        while True:
            start = reader.line_num + 1
            values = next(reader, None)
            if values is None:
                return
            if not values:
                continue  # a blank line
            if any(value.strip() for value in values[len(names) :]):
                raise CatalogError(
                    f"{path}, line {start}: {len(values)} fields but the header"
                    f" names {len(names)}; put quotes around a field that holds a"
                    " comma."
                )
            yield start, {k: v for k, v in zip(names, values, strict=False) if k}
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            message = 'a quote (") opened here is never closed'
        else:
            message = (
                f"not valid CSV ({exc}); a field that holds a comma, a quote or a"
                ' line break goes in quotes, with each quote in it doubled ("")'
            )
        raise CatalogError(f"{path}, line {start}: {message}.") from exc


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
        except ValueError as exc:  # a number with thousands of digits
            raise CatalogError(f"{path}, line {number}: not JSON ({exc}).") from exc
        except RecursionError as exc:
            raise CatalogError(f"{path}, line {number}: nested too deeply.") from exc
        if not isinstance(row, dict):
            raise CatalogError(f"{path}, line {number}: expected a JSON object.")
        yield number, {str(k).lower(): v for k, v in row.items()}


def item_from_row(
    row: dict[str, Any], kind: str, number: int = 0, *, source: str = ""
) -> Item:
    """An item from a file's row; ``kind`` when the row names none.

    Args:
        row: the row's fields by lower-case name.
        kind: the kind of the item when the row has no ``kind``.
        number: the row's line, for messages.
        source: the file, for messages.

    Raises:
        CatalogError: the row has no id or no title, or a field of the wrong
            type (tags that are not words, a year outside -5000..3000...).
    """
    where = f"{source}, line {number}" if source else f"Line {number}"
    ident = _text(row.get("id"), "the id", where)
    title = _text(row.get("title"), "the title", where)
    if not ident or not title:
        raise CatalogError(f"{where}: every item needs an 'id' and a 'title'.")
    kind = _kind(_text(row.get("kind"), "the kind", where) or kind)
    return Item(
        key=f"{kind}:{ident}",
        kind=kind,
        title=title,
        creator=_text(_first(row, "creator", "author"), "the creator", where),
        year=_year(row.get("year"), where),
        tags=_tags(row.get("tags"), where),
        description=_text(row.get("description"), "the description", where),
        popularity=_popularity(row.get("popularity"), where),
    )


def _kind(text: str) -> str:
    word = text.strip().lower()
    return _KIND_ALIASES.get(word, word) or "book"


def _first(row: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` that the row has a value for (0 counts)."""
    for name in names:
        value = row.get(name)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return value
    return None


def _text(value: Any, name: str, where: str) -> str:
    """A text field; numbers are taken as text (``"id": 0`` is the id "0")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise CatalogError(f"{where}: {name} must be text, not {value}.")
        return str(value)
    raise CatalogError(f"{where}: {name} must be text, not {_json_name(value)}.")


def _tags(value: Any, where: str) -> tuple[str, ...]:
    """Tags: a list of words, or words split by ``|``, ``;`` or ``,``."""
    if value is None:
        return ()
    if isinstance(value, str):
        words: list[Any] = re.split(r"[|;,]", value)
    elif isinstance(value, list | tuple):
        words = list(value)
    else:
        words = [None]
    tags = []
    for word in words:
        if isinstance(word, bool) or not isinstance(word, str | int | float):
            raise CatalogError(
                f"{where}: tags must be a list of words (or words separated by"
                f" '|'), not {_json_name(value)}."
            )
        if str(word).strip():
            tags.append(str(word).strip())
    return tuple(tags)


def _year(value: Any, where: str) -> int | None:
    """A whole number from :data:`YEARS`; empty is no year."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    low, high = YEARS
    problem = CatalogError(
        f"{where}: the year must be a whole number from {low} to {high},"
        f" not {_shown(value)}."
    )
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise problem
    if isinstance(value, int):
        year = value
    else:
        try:
            number = float(value)
        except (ValueError, OverflowError):
            raise problem from None
        if not math.isfinite(number) or not number.is_integer():
            raise problem
        year = int(number)
    if not low <= year <= high:
        raise problem
    return year


def _popularity(value: Any, where: str) -> float:
    """A number of 0 or more; empty is 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    problem = CatalogError(
        f"{where}: the popularity must be a number of 0 or more, not {_shown(value)}."
    )
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise problem
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise problem from None
    if not math.isfinite(number) or number < 0:
        raise problem
    return number


def _shown(value: Any) -> str:
    """A value as a message shows it: short, and strings in quotes."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        return _json_name(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_name(value: Any) -> str:
    """What a JSON value is, in words: "a list", "an object"..."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return (
            "a list"
            if not any(isinstance(v, list | dict) for v in value)
            else ("a list of lists or objects")
        )
    if isinstance(value, int | float):
        return f"the number {value}"
    return "null" if value is None else type(value).__name__
