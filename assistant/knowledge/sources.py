"""Opening the document a search result or an answer came from.

:func:`open_source` turns a result's ``path`` (a file, or a built-in help
page) back into readable text with the line the passage starts on, so a user
interface can show the passage in its document. A file that has vanished or
can no longer be read gives the passage as it was indexed, with a note that
says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from assistant.knowledge.indexer import BUILTIN_PREFIX
from assistant.knowledge.readers import (
    STRUCTURED_SUFFIXES,
    Block,
    Unreadable,
    read_blocks,
)

__all__ = ["SourceView", "open_source"]


@dataclass(frozen=True, slots=True)
class SourceView:
    """A document ready to show, and where in it the passage starts."""

    title: str
    text: str
    line: int
    """The 0-based line of ``text`` the passage starts on."""
    note: str = ""
    """Why the whole document is not shown (gone, unreadable), or empty."""


def open_source(
    path: str,
    *,
    line: int | None = None,
    page: int | None = None,
    heading: str = "",
    passage: str = "",
    max_bytes: int = 20_000_000,
) -> SourceView:
    """The document at ``path`` with the passage located in it.

    Args:
        path: a result's path: a file, or ``builtin:<page>.md``.
        line: the 1-based line the passage starts on (text, Markdown).
        page: the 1-based page it is on (PDF).
        heading: its heading path, to find it in HTML.
        passage: the indexed text, shown when the file cannot be read.
        max_bytes: larger files are not read.
    """
    if path.startswith(BUILTIN_PREFIX):
        name = path[len(BUILTIN_PREFIX) :]
        page_file = resources.files("assistant.knowledge") / "builtin" / name
        try:
            text = page_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return _passage_only(path, passage, "This help page is missing.")
        return SourceView(path, text, _at(line))
    file = Path(path)
    if not file.exists():
        return _passage_only(path, passage, "The file is no longer there.")
    suffix = file.suffix.lower()
    try:
        if suffix in STRUCTURED_SUFFIXES:
            text, at = _joined(
                read_blocks(file, max_bytes=max_bytes), page, heading, line
            )
            return SourceView(path, text, at)
        read_blocks(file, max_bytes=max_bytes)  # refuses binary, huge, unreadable
        text = file.read_bytes().decode("utf-8", errors="replace")
    except (Unreadable, OSError) as exc:
        return _passage_only(path, passage, f"The file cannot be read: {exc}.")
    return SourceView(path, text, _at(line))


def _at(line: int | None) -> int:
    return max(0, (line or 1) - 1)


def _passage_only(path: str, passage: str, why: str) -> SourceView:
    return SourceView(path, passage, 0, f"{why} This is the passage as indexed.")


def _joined(
    blocks: list[Block], page: int | None, heading: str, line: int | None
) -> tuple[str, int]:
    """Blocks as text with their headings and pages; the passage's first line
    (found by its page, else its line in the original, else its heading)."""
    lines: list[str] = []
    target: int | None = None
    shown_heading, shown_page = "", None
    for block in blocks:
        if block.page is not None and block.page != shown_page:
            shown_page = block.page
            lines += [f"[page {block.page}]", ""]
        if block.heading and block.heading != shown_heading:
            shown_heading = block.heading
            lines += [f"## {block.heading}", ""]
        if target is None and (
            (page is not None and block.page == page)
            or (page is None and line is not None and block.line == line)
            or (page is None and line is None and heading and block.heading == heading)
        ):
            target = len(lines)
        lines += [*block.text.splitlines(), ""]
    return "\n".join(lines), target or 0
