"""``assistant catalog``: import, list and count what can be recommended."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.recommend.engine import Recommender
    from assistant.recommend.store import TasteStore
    from assistant.storage import Database

__all__ = ["catalog_app"]

catalog_app = typer.Typer(
    help="Manage the recommendation catalog (books ship by default).",
    no_args_is_help=True,
)

HomeOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional here
    typer.Option("--home", help="User data directory (default: ASSISTANT_HOME)."),
]


@catalog_app.command("import")
def import_catalog(
    file: Annotated[Path, typer.Argument(help="CSV or JSON lines: id, title, ...")],
    ratings: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--ratings", help="CSV or JSON lines: user, item, rating."),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Kind of rows without a 'kind' column.")
    ] = "book",
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Let items replace those already in the catalog with the same "
            "kind and id (likes and ratings of that id then apply to the new item).",
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Add items (and optionally other people's ratings) to the catalog.

    An item is known by its kind and id (book:1). If an id of the file is
    already in the catalog, shipped or imported before, nothing is imported
    unless --replace is given; then the file's item replaces the old one and
    the report lists the ids replaced. Of rows in the file with the same id,
    the first is imported and the others are skipped and listed by line.
    """
    from assistant.recommend.catalog import (
        CatalogError,
        load_default_items,
        read_catalog,
        read_ratings,
    )

    with _opened(home) as (settings, store):
        found = read_catalog(file, kind=kind)
        items = found.items
        rows = read_ratings(ratings) if ratings else []
        existing = {item.key: item for item in load_default_items()}
        existing.update((item.key, item) for item in store.items())
        clashes = [(existing[item.key], item) for item in items if item.key in existing]
        if clashes and not replace:
            listed = _listing([f"{old.key} ({old.title})" for old, _ in clashes])
            raise CatalogError(
                f"{file}: {_count(len(clashes), 'item')} already in the catalog with"
                f" the same id: {listed}. Nothing was imported. Give yours other ids,"
                " import them with another --kind, or add --replace to replace the"
                " items already there."
            )
        keys = {item.key.split(":", 1)[1]: item.key for item in items}
        known = [(user, keys[item], r) for user, item, r in rows if item in keys]
        store.add_items(items)
        store.add_ratings(known)
        typer.echo(f"Imported {_count(len(items), 'item')} from {file}.")
        if clashes:
            listed = _listing(
                [f"{old.key} ({old.title} -> {new.title})" for old, new in clashes]
            )
            typer.echo(
                f"Replaced {_count(len(clashes), 'existing item')} with the same id:"
                f" {listed}."
            )
        if found.duplicates:
            listed = _listing(
                [
                    f"line {d.line} ({d.key}, first on line {d.first_line})"
                    for d in found.duplicates
                ]
            )
            typer.echo(
                f"Skipped {_count(len(found.duplicates), 'duplicate row')} (the"
                f" first row of each id is kept): {listed}.",
                err=True,
            )
        if ratings:
            typer.echo(f"Imported {len(known):,} ratings from {ratings}.")
            if len(known) < len(rows):
                typer.echo(
                    f"Skipped {len(rows) - len(known):,} ratings of items that are "
                    "not in this file.",
                    err=True,
                )
        typer.echo("Preparing vectors and the index...")
        state = _recommender(settings, store).state()
        typer.echo(_summary(state.catalog.kinds()))


@catalog_app.command("list")
def list_catalog(
    kind: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--kind", help="Only this kind."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
    home: HomeOption = None,
) -> None:
    """Show the most popular items of the catalog."""
    with _opened(home) as (settings, store):
        state = _recommender(settings, store).state()
        items = [i for i in state.catalog.items if kind is None or i.kind == kind]
        items.sort(key=lambda item: -item.popularity)
        for item in items[:limit]:
            year = f" ({item.year})" if item.year else ""
            typer.echo(f"{item.key:<16} {item.label}{year}")
        typer.echo(_summary(state.catalog.kinds()), err=True)


@catalog_app.command("stats")
def stats(home: HomeOption = None) -> None:
    """Count items by kind, imported ratings and the index type."""
    with _opened(home) as (settings, store):
        state = _recommender(settings, store).state()
        typer.echo(_summary(state.catalog.kinds()))
        typer.echo(f"Imported ratings: {len(store.ratings()):,}")
        index = "approximate (IVF)" if state.index.approximate else "exact (flat)"
        where = "GPU" if state.index.on_gpu else "CPU"
        typer.echo(f"Index: {index} over {state.index.size:,} items, on the {where}")


class _opened:
    """Settings and the recommender's tables; errors become messages."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self.database: Database | None = None

    def __enter__(self) -> tuple[Settings, TasteStore]:
        from assistant.config import load_settings
        from assistant.errors import AssistantError
        from assistant.recommend.store import TasteStore
        from assistant.storage import Database

        try:
            settings = load_settings(self.home)
            database = Database(settings.database_path)
        except AssistantError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(code=1) from exc
        self.database = database
        return settings, TasteStore(database)

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        from assistant.errors import AssistantError

        if self.database is not None:
            self.database.close()
        if isinstance(error, AssistantError):
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(code=1)


def _recommender(settings: Settings, store: TasteStore) -> Recommender:
    from assistant.recommend.engine import Recommender

    return Recommender(settings, store)


def _summary(kinds: dict[str, int]) -> str:
    parts = ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
    return f"Catalog items by kind: {parts}."


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _listing(parts: list[str], *, most: int = 10) -> str:
    """Up to ``most`` parts, then how many more."""
    text = ", ".join(parts[:most])
    if len(parts) > most:
        text += f" and {len(parts) - most:,} more"
    return text
