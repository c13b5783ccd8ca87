"""Commands about feedback and personal data: export, import, forget, stats."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["register"]

HomeOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional here
    typer.Option(
        "--home",
        help="User data directory (default: ASSISTANT_HOME or the platform's).",
    ),
]
feedback_app = typer.Typer(
    help="Export or import feedback (JSON Lines, one turn per line).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``feedback export|import``, ``forget`` and ``stats`` to ``app``."""
    app.add_typer(feedback_app, name="feedback")

    @feedback_app.command("export")
    def export(
        file: Annotated[
            Optional[Path],  # noqa: UP045 - typer needs Optional here
            typer.Argument(help="Where to write; '-' or nothing writes to stdout."),
        ] = None,
        user: Annotated[
            Optional[str],  # noqa: UP045
            typer.Option("--user", "-u", help="Only this user's feedback."),
        ] = None,
        home: HomeOption = None,
    ) -> None:
        """Write every turn that has feedback, with its feedback, as JSON Lines."""
        from assistant.cli import _assistant

        with _assistant(home) as bot:
            lines = list(bot.learning.export_lines(user))
        text = "".join(line + "\n" for line in lines)
        if file is None or str(file) == "-":
            sys.stdout.write(text)
            return
        _write_private(file, text)
        typer.echo(f"Exported feedback on {len(lines)} turns to {file}.", err=True)

    @feedback_app.command("import")
    def import_(
        file: Annotated[Path, typer.Argument(help="A file written by export.")],
        home: HomeOption = None,
    ) -> None:
        """Add the feedback of an exported file; what is already there is skipped."""
        from assistant.cli import _assistant

        try:
            lines = file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            typer.echo(f"Error: cannot read {file}: {exc}", err=True)
            raise typer.Exit(code=1) from exc
        with _assistant(home) as bot:
            result = bot.learning.import_lines(lines)
        typer.echo(
            f"Imported {result.feedback} pieces of feedback on {result.turns} new "
            f"turns ({result.unchanged} already there)."
        )

    @app.command()
    def forget(
        user: Annotated[
            str, typer.Option("--user", "-u", help="Whose data to delete.")
        ],
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")
        ] = False,
        home: HomeOption = None,
    ) -> None:
        """Delete a user's turns, feedback, skill data and learned intents."""
        from assistant.cli import _assistant

        if not user.strip():
            typer.echo(
                "Error: say whose data to forget: the user name is empty.", err=True
            )
            raise typer.Exit(code=2)
        if not yes and not typer.confirm(
            f"Delete everything stored about {user!r}? This cannot be undone."
        ):
            raise typer.Exit(code=1)
        with _assistant(home) as bot:
            counts = bot.forget(user)
        typer.echo(
            f"Forgot {user!r}: {counts['turns']} turns and "
            f"{counts['feedback']} pieces of feedback deleted, with what skills "
            "and the intent model had learned from them."
        )

    @app.command()
    def stats(
        user: Annotated[
            Optional[str],  # noqa: UP045
            typer.Option("--user", "-u", help="Only this user."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        home: HomeOption = None,
    ) -> None:
        """Count turns, intents and feedback; estimate accuracy from the feedback."""
        from assistant.cli import _assistant
        from assistant.feedback.report import format_stats

        with _assistant(home) as bot:
            numbers = bot.stats(user)
        typer.echo(json.dumps(numbers, indent=2) if as_json else format_stats(numbers))


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically to a file only its owner can read."""
    staging = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        descriptor = os.open(staging, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(staging, path)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        typer.echo(f"Error: cannot write {path}: {exc}", err=True)
        raise typer.Exit(code=1) from exc
