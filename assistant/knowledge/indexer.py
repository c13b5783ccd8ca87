"""Adding files and folders to the knowledge base, incrementally.

A file is read and embedded again only when its size, time and content hash
say it changed; documents under an indexed folder that are gone from disk are
dropped, and so are the passages of an indexed file that can no longer be
read (it turned binary, empty, too big, or into a pipe), so search never
serves text the file no longer has. Only regular files are opened: a named
pipe or a device would block or never end. Each file is committed on its own,
and the vector index is saved at the end, so a run killed halfway keeps
everything it finished.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from assistant.errors import InputError
from assistant.knowledge.chunking import make_passages
from assistant.knowledge.library import KnowledgeBase
from assistant.knowledge.readers import (
    Block,
    Unreadable,
    read_blocks,
    regular_stat,
    supported,
)

__all__ = ["IndexReport", "index_builtin", "index_paths", "remove_paths"]

logger = logging.getLogger(__name__)

BUILTIN_PREFIX = "builtin:"

Progress = Callable[[int, int, str], None]
"""Called with (files done, files in all, current file)."""


@dataclass
class IndexReport:
    """What an index run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason) of files that were not indexed; a file that was indexed
    before is also in ``removed``, as its old passages were dropped."""
    passages: int = 0
    """Passages embedded in this run."""
    seconds: float = 0.0


def index_paths(
    base: KnowledgeBase,
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
) -> IndexReport:
    """Index files and folders; re-embed only what changed.

    Raises:
        InputError: a path does not exist.
    """
    import time

    started = time.perf_counter()
    roots = [Path(os.path.abspath(path.expanduser())) for path in paths]
    for root in roots:
        if not root.exists():
            raise InputError(
                f"{root} does not exist. Check the path and try again.",
                reason="invalid_input",
            )
    report = IndexReport()
    files, explicit = _collect(roots, report)
    for done, file in enumerate(files):
        if progress is not None:
            progress(done, len(files), str(file))
        _index_file(base, file, report, explicit=file in explicit)
    _drop_missing(base, roots, report)
    base.flush()
    if progress is not None:
        progress(len(files), len(files), "")
    report.seconds = time.perf_counter() - started
    return report


def remove_paths(base: KnowledgeBase, paths: Sequence[Path]) -> list[str]:
    """Drop documents at or under the given paths; returns the paths dropped."""
    wanted = [os.path.abspath(path.expanduser()) for path in paths]
    gone = [
        doc.path
        for doc in base.documents("user")
        if any(is_under(doc.path, w) for w in wanted)
    ]
    if gone:  # nothing to drop: leave the index (and the embedder) alone
        base.remove_documents(gone)
        base.flush()
    return gone


def is_under(path: str, wanted: str) -> bool:
    """Whether ``path`` is the absolute path ``wanted`` or inside it."""
    return path == wanted or path.startswith(wanted.rstrip(os.sep) + os.sep)


def index_builtin(base: KnowledgeBase) -> int:
    """Index (or refresh) the built-in help pages; returns how many changed."""
    folder = resources.files("assistant.knowledge") / "builtin"
    pages = sorted(
        (item for item in folder.iterdir() if item.name.endswith(".md")),
        key=lambda item: item.name,
    )
    changed = 0
    present = set()
    for page in pages:
        name = BUILTIN_PREFIX + page.name
        present.add(name)
        raw = page.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        known = base.fingerprint(name)
        if known is not None and known[2] == digest:
            continue
        from assistant.knowledge.readers import text_blocks

        blocks = text_blocks(raw.decode("utf-8"), markdown=True)
        passages = make_passages(blocks, max_words=base.options.passage_words)
        base.put_document(
            name, passages, source="builtin", size=len(raw), sha256=digest
        )
        changed += 1
    stale = [d.path for d in base.documents("builtin") if d.path not in present]
    if stale:
        base.remove_documents(stale)
        changed += len(stale)
    if changed:
        base.flush()
    return changed


def _collect(
    roots: Sequence[Path], report: IndexReport
) -> tuple[list[Path], set[Path]]:
    """Files to look at: named files, and supported files inside folders."""
    files: dict[Path, None] = {}
    explicit: set[Path] = set()
    for root in roots:
        if not root.is_dir():  # a file, or a pipe or device _index_file refuses
            files.setdefault(root, None)
            explicit.add(root)
            continue
        for file in _walk(root):
            if supported(file):
                files.setdefault(file, None)
    return list(files), explicit


def _walk(folder: Path) -> Iterator[Path]:
    """Files under a folder, leaving out hidden files and folders."""
    for current, folders, names in os.walk(folder, onerror=_walk_error):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(current) / name


def _walk_error(error: OSError) -> None:
    logger.warning("Cannot list %s: %s", error.filename, error.strerror)


def _index_file(
    base: KnowledgeBase, file: Path, report: IndexReport, *, explicit: bool
) -> None:
    path = str(file)
    if not _storable(path):
        # SQLite cannot store a name that is not valid UTF-8; skip just this file.
        report.skipped.append((_shown(path), "its name is not valid UTF-8; rename it"))
        return
    known = base.fingerprint(path)
    try:
        info = regular_stat(file)
        if known is not None and known[:2] == (info.st_size, info.st_mtime_ns):
            report.unchanged.append(path)
            return
        blocks, digest = _read(base, file, explicit=explicit)
    except Unreadable as exc:
        _refuse(base, path, str(exc), report, known=known is not None)
        return
    if known is not None and known[2] == digest:
        base.touch(path, size=info.st_size, mtime_ns=info.st_mtime_ns)
        report.unchanged.append(path)
        return
    passages = make_passages(blocks, max_words=base.options.passage_words)
    if not passages:
        _refuse(base, path, "no text in it", report, known=known is not None)
        return
    base.put_document(
        path, passages, size=info.st_size, mtime_ns=info.st_mtime_ns, sha256=digest
    )
    report.passages += len(passages)
    (report.updated if known is not None else report.added).append(path)


def _read(
    base: KnowledgeBase, file: Path, *, explicit: bool
) -> tuple[list[Block], str]:
    """The blocks and content hash of a file.

    Raises:
        Unreadable: with the reason the report shows.
    """
    if not explicit and not supported(file):
        raise Unreadable("not a kind of file the index reads")
    max_bytes = int(base.options.max_file_mb * 1_000_000)
    try:
        return read_blocks(file, max_bytes=max_bytes), _sha256(file)
    except OSError as exc:
        raise Unreadable(f"cannot read it ({exc.strerror or exc})") from exc


def _refuse(
    base: KnowledgeBase, path: str, reason: str, report: IndexReport, *, known: bool
) -> None:
    """Skip a file; if it was indexed before, drop its old passages.

    Search must not keep serving text a file no longer has (or that can no
    longer be checked), so a refused file that was indexed is removed too.
    """
    if known:
        base.remove_documents([path])
        report.removed.append(path)
        reason += "; its old passages were removed from the index"
    report.skipped.append((path, reason))


def _storable(path: str) -> bool:
    """Whether a path can be stored: names that are not UTF-8 hold surrogates."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(path: str) -> str:
    """A path that can be printed: bytes that are not UTF-8 become ``\\xff``."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _drop_missing(
    base: KnowledgeBase, roots: Sequence[Path], report: IndexReport
) -> None:
    """Forget documents under the indexed folders that no longer exist."""
    folders = [str(root).rstrip(os.sep) + os.sep for root in roots if root.is_dir()]
    gone = [
        doc.path
        for doc in base.documents("user")
        if any(doc.path.startswith(folder) for folder in folders)
        and not Path(doc.path).is_file()
    ]
    if gone:
        base.remove_documents(gone)
        report.removed.extend(gone)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
