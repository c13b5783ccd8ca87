"""The ``assistant index`` command: add, list and remove indexed documents."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.knowledge import KnowledgeBase

__all__ = ["index"]


def index(
    paths: Annotated[
        Optional[list[Path]],  # noqa: UP045 - typer needs Optional here
        typer.Argument(
            help="Files or folders to add (text, Markdown, HTML, PDF, Word .docx)."
        ),
    ] = None,
    list_documents: Annotated[
        bool, typer.Option("--list", help="Show the indexed documents.")
    ] = False,
    remove: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option("--remove", help="Drop a file, or every file under a folder."),
    ] = None,
    home: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--home", help="User data directory."),
    ] = None,
) -> None:
    """Index documents so that search and questions can use them."""
    if not (paths or list_documents or remove):
        typer.echo("Give files or folders to index, --list or --remove PATH.", err=True)
        raise typer.Exit(code=2)
    try:
        _run(paths or [], list_documents, remove or [], home)
    except AssistantError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def _run(
    paths: list[Path], list_documents: bool, remove: list[Path], home: Path | None
) -> None:
    from assistant.config import load_settings
    from assistant.knowledge import KnowledgeBase
    from assistant.storage import Database

    settings = load_settings(home)
    database = Database(settings.database_path)
    try:
        base = KnowledgeBase(
            settings,
            database,
            notify=lambda line: typer.echo(f"Note: {line}", err=True),
        )
        if remove:
            _remove(base, remove)
        if paths:
            _index(base, paths)
        if list_documents:
            _list(base)
    finally:
        database.close()


def _index(base: KnowledgeBase, paths: list[Path]) -> None:
    from assistant.knowledge import index_paths

    with typer.progressbar(length=1, label="Indexing", file=sys.stderr) as bar:
        done_before = 0

        def progress(done: int, total: int, current: str) -> None:
            nonlocal done_before
            bar.length = max(total, 1)
            bar.update(done - done_before)
            done_before = done

        report = index_paths(base, paths, progress=progress)
    rate = report.passages / report.seconds if report.seconds else 0.0
    typer.echo(
        f"Added {len(report.added)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, removed {len(report.removed)}, "
        f"skipped {len(report.skipped)} file(s); {report.passages} passages "
        f"in {report.seconds:.1f} s ({rate:.0f}/s)."
    )
    for path, reason in report.skipped:
        typer.echo(f"  skipped {path}: {reason}")


def _remove(base: KnowledgeBase, remove: list[Path]) -> None:
    """Drop documents; name each path under which nothing was indexed."""
    import os

    from assistant.knowledge import remove_paths
    from assistant.knowledge.indexer import is_under

    gone = remove_paths(base, remove)
    for path in remove:
        wanted = os.path.abspath(path.expanduser())
        if not any(is_under(document, wanted) for document in gone):
            typer.echo(f"Nothing is indexed at or under {wanted}; nothing removed.")
    if gone:
        typer.echo(f"Removed {len(gone)} document(s).")
        for document in gone:
            typer.echo(f"  - {document}")


def _list(base: KnowledgeBase) -> None:
    documents = base.documents("user")
    if not documents:
        typer.echo("No documents indexed yet.")
        return
    for document in documents:
        typer.echo(f"{document.passages:>6}  {document.indexed_at}  {document.path}")
    total = sum(document.passages for document in documents)
    typer.echo(f"{len(documents)} document(s), {total} passages.")
