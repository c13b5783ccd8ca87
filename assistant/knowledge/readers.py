"""Reading documents into blocks of text: plain text, Markdown, HTML, PDF and Word.

Each reader returns :class:`Block` objects (a paragraph with its heading and
its line or page) or raises :class:`Unreadable` with a reason the index
report shows to the user. Nothing here embeds or stores anything.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "STRUCTURED_SUFFIXES",
    "TEXT_SUFFIXES",
    "Block",
    "Unreadable",
    "read_blocks",
    "regular_stat",
    "supported",
    "text_blocks",
]

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".rst", ".org"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
STRUCTURED_SUFFIXES = HTML_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES
"""Formats whose text is extracted (not shown as the file's own lines)."""
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_WORD_HEADING = re.compile(r"^(?:Heading (\d)|Title)$")
_MARKDOWN = frozenset({".md", ".markdown"})
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SNIFF_BYTES = 8192


class Unreadable(Exception):
    """A file that is skipped, with the reason shown in the index report."""


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of a document and where it sits."""

    text: str
    heading: str = ""
    """The heading path above it, e.g. ``Garden > Layout``."""
    line: int | None = None
    """The 1-based line it starts on (text, Markdown)."""
    page: int | None = None
    """The 1-based page it is on (PDF)."""


def supported(path: Path) -> bool:
    """Whether a file found in a folder is a kind the index reads."""
    suffix = path.suffix.lower()
    return suffix in TEXT_SUFFIXES | STRUCTURED_SUFFIXES


def regular_stat(path: Path) -> os.stat_result:
    """The stat of a regular file, looked at without opening it.

    Reading a named pipe blocks until something writes to it, and a device
    such as ``/dev/zero`` never ends, so anything but a regular file (after
    following links) is refused before it is opened.

    Raises:
        Unreadable: it cannot be looked at, or it is not a regular file.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise Unreadable(f"cannot read it ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable(f"not a regular file ({_kind(info.st_mode)}), so not read")
    return info


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def read_blocks(path: Path, *, max_bytes: int) -> list[Block]:
    """The blocks of one file.

    Raises:
        Unreadable: the file is too big, binary, encrypted, not a regular
            file or cannot be read.
    """
    size = regular_stat(path).st_size
    if size > max_bytes:
        raise Unreadable(
            f"too big ({size / 1e6:.1f} MB, the limit is {max_bytes / 1e6:.0f} MB)"
        )
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return _read_pdf(path)
    if suffix in DOCX_SUFFIXES:
        return _read_docx(path)
    text = _read_text(path)
    if suffix in HTML_SUFFIXES:
        return _html_blocks(text)
    return text_blocks(text, markdown=suffix in _MARKDOWN)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read it ({exc.strerror or exc})") from exc
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Unreadable("broken UTF-16 text") from exc
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise Unreadable("binary data, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise Unreadable("binary data, not text") from exc
    controls = sum(1 for char in text[:_SNIFF_BYTES] if ord(char) < 9)
    if controls > 2:
        raise Unreadable("binary data, not text")
    return text


def text_blocks(text: str, *, markdown: bool) -> list[Block]:
    """Paragraphs separated by blank lines; Markdown headings set the heading."""
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    lines: list[str] = []
    start = 1
    in_code = False

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            path = " > ".join(title for _, title in headings)
            blocks.append(Block(body, path, line=start))
        lines.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        if markdown and line.lstrip().startswith("```"):
            in_code = not in_code
        heading = None if in_code or not markdown else _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, heading.group(2).strip()))
        elif not line.strip() and not in_code:
            flush()
        else:
            if not lines:
                start = number
            lines.append(line)
    flush()
    return blocks


class _HtmlText(HTMLParser):
    """Collects text per block element and the headings above it."""

    BLOCKS = frozenset(
        {
            "p",
            "div",
            "li",
            "td",
            "th",
            "pre",
            "blockquote",
            "section",
            "article",
            "br",
            "tr",
            "table",
            "ul",
            "ol",
            "dd",
            "dt",
            "main",
            "header",
            "footer",
        }
    )
    HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
    SKIP = frozenset({"script", "style", "noscript", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.headings: list[str] = []
        self.parts: list[str] = []
        self.skipping = 0
        self.heading_level = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.HEADINGS:
            self._flush()
            self.heading_level = int(tag[1])
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.HEADINGS and self.heading_level:
            title = " ".join("".join(self.parts).split())
            self.parts.clear()
            del self.headings[self.heading_level - 1 :]
            if title:
                self.headings.append(title)
            self.heading_level = 0
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def _flush(self) -> None:
        if self.heading_level:
            return
        body = " ".join("".join(self.parts).split())
        self.parts.clear()
        if body:
            self.blocks.append(Block(body, " > ".join(self.headings)))

    def close(self) -> None:
        super().close()
        self.heading_level = 0
        self._flush()


def _html_blocks(text: str) -> list[Block]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    return parser.blocks


def _read_pdf(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted (password protected)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Unreadable:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"not a readable PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on broken files
        if "crypt" in str(exc).lower() or "password" in str(exc).lower():
            raise Unreadable("encrypted (password protected)") from exc
        logger.debug("pypdf failed on %s", path, exc_info=True)
        raise Unreadable(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    blocks: list[Block] = []
    for number, page_text in enumerate(pages, start=1):
        for paragraph in re.split(r"\n\s*\n", page_text):
            body = " ".join(paragraph.split())
            if body:
                blocks.append(Block(body, page=number))
    if not blocks and pages:
        raise Unreadable("no text layer (a scanned PDF?)")
    return blocks


def _read_docx(path: Path) -> list[Block]:
    """Paragraphs of a Word document; its heading styles set the heading."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise Unreadable(f"cannot read it ({exc.strerror or exc})") from exc
    if magic == _OLE_MAGIC:  # what Word writes when a password is set
        raise Unreadable("encrypted (password protected), or an old .doc file")
    try:
        document = docx.Document(str(path))
        paragraphs = [
            (p.style.name if p.style else "", p.text) for p in document.paragraphs
        ]
        tables = [
            " | ".join(cell.text.strip() for cell in row.cells)
            for table in document.tables
            for row in table.rows
        ]
    except Exception as exc:  # python-docx and lxml raise many kinds on bad files
        # Their messages ("Package not found at ...", "There is no item named
        # ...", XML syntax errors) mean nothing to the user, so only the log
        # keeps them.
        logger.debug("python-docx failed on %s", path, exc_info=True)
        why = (
            "not a .docx file, or damaged"
            if isinstance(exc, PackageNotFoundError | zipfile.BadZipFile)
            else "damaged"
        )
        raise Unreadable(f"not a readable Word document ({why})") from exc
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    for number, (style, raw) in enumerate(paragraphs, start=1):
        text = " ".join(raw.split())
        if not text:
            continue
        heading = _WORD_HEADING.match(style)
        if heading:
            level = int(heading.group(1) or 0)
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, text))
            continue
        path_of = " > ".join(title for _, title in headings)
        blocks.append(Block(text, path_of, line=number))
    blocks += [Block(row) for row in tables if row.strip(" |")]
    if not blocks:
        raise Unreadable("no text in it")
    return blocks
