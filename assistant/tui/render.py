"""Turn a reply's ``data`` into Markdown the conversation view can show.

Skills put what they found into ``Reply.data``: search and question answering
a list of ``sources``, recommendations a list of ``items`` (or ``results``)
with the reasons for each. This module knows nothing about Textual, so it is
easy to test and to reuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

__all__ = [
    "data_markdown",
    "intent_line",
    "reminder_line",
    "reply_sources",
    "source_label",
]

_LIST_KEYS = (
    ("sources", "Sources"),
    ("results", "Results"),
    ("items", "Suggestions"),
    ("recommendations", "Suggestions"),
)
_TITLE_KEYS = ("title", "name", "text", "task", "path", "id")
_WHERE_KEYS = ("source", "path", "url", "file", "document")
_REASON_KEYS = ("reason", "reasons", "why", "because")
_MAX_ITEMS = 10


def data_markdown(data: Mapping[str, Any], shown: str = "") -> str:
    """Markdown for the lists in ``data`` (sources, results, items); may be empty.

    Only entries that are records (mappings) are listed, and only those the
    reply's text (``shown``) does not already name: the built-in skills write
    their results into the text, so nothing is shown twice; plain ids are
    data for programs, not for people.
    """
    parts: list[str] = []
    for key, heading in _LIST_KEYS:
        value = data.get(key)
        if not isinstance(value, list):
            continue
        fresh = [
            item
            for item in value
            if isinstance(item, Mapping) and not _already_shown(item, shown)
        ]
        if not fresh:
            continue
        lines = [_item_line(n, item) for n, item in enumerate(fresh, 1)]
        shown_lines = lines[:_MAX_ITEMS]
        if len(lines) > _MAX_ITEMS:
            shown_lines.append(f"\n*…and {len(lines) - _MAX_ITEMS} more*")
        parts.append(f"**{heading}**\n\n" + "\n".join(shown_lines))
    return "\n\n".join(parts)


def _already_shown(item: Mapping[str, Any], shown: str) -> bool:
    """Whether the text already names the item (by its title or where it is)."""
    names = [_first(item, _TITLE_KEYS), _first(item, _WHERE_KEYS)]
    return any(name and name in shown for name in names)


def reply_sources(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The documents a reply came from that can be opened: search results, or
    the passage an answer was taken from."""
    results = data.get("results")
    found: list[Any] = results if isinstance(results, list) else []
    if data.get("answer") and data.get("path"):
        found = [data]
    return [
        dict(item)
        for item in found
        if isinstance(item, Mapping) and isinstance(item.get("path"), str)
    ]


def source_label(source: Mapping[str, Any]) -> str:
    """One line naming a source: file, heading, line or page."""
    label = str(source["path"])
    if source.get("heading"):
        label += f" · {source['heading']}"
    if source.get("page") is not None:
        label += f" · p. {source['page']}"
    elif source.get("line") is not None:
        label += f" · line {source['line']}"
    return label


def intent_line(intent: str | None, confidence: float, skill: str) -> str:
    """The subtle line under a reply: which intent, how sure, which skill."""
    if intent is None:
        return f"not understood · {skill}"
    return f"{intent} {confidence:.0%} · {skill}"


def reminder_line(task: str, due: datetime, *, now: datetime) -> str:
    """``task`` with when it is due, the day shown only when it is not today."""
    local = due.astimezone(now.tzinfo) if now.tzinfo else due
    when = local.strftime("%H:%M")
    if local.date() != now.date():
        when = local.strftime("%a %d %b %H:%M")
    return f"{when}  {task}"


def _item_line(number: int, item: Mapping[str, Any]) -> str:
    title = _first(item, _TITLE_KEYS) or "(untitled)"
    line = f"{number}. **{_plain(title)}**"
    where = _first(item, _WHERE_KEYS)
    if where and where != title:
        line += f" — {_plain(where)}"
    page = item.get("page")
    if page is not None:
        line += f", p. {_plain(page)}"
    reason = _first(item, _REASON_KEYS)
    if reason:
        line += f"  \n   *{_plain(reason)}*"
    snippet = item.get("snippet") or item.get("passage")
    if snippet:
        line += f"  \n   > {_plain(_shorten(str(snippet), 200))}"
    return line


def _first(item: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = item.get(key)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value if v)
        if value not in (None, ""):
            return str(value)
    return None


def _plain(value: object) -> str:
    """Text that Markdown shows as it is: no stray emphasis or links, one line."""
    text = " ".join(str(value).split())
    for char in "\\*_`[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
