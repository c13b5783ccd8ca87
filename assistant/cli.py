"""The ``assistant`` command: ask, chat, train and evaluate from a terminal."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer

from assistant import __version__
from assistant.cli_knowledge import index as index_documents
from assistant.errors import AssistantError
from assistant.recommend.cli import catalog_app

if TYPE_CHECKING:
    from assistant.bot import Assistant

T = TypeVar("T")

app = typer.Typer(
    help="An offline, private assistant. Everything runs on this machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
intents_app = typer.Typer(
    help="Inspect and evaluate the intent model.", no_args_is_help=True
)
app.add_typer(intents_app, name="intents")
app.add_typer(catalog_app, name="catalog")
app.command("index")(index_documents)

HomeOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional here
    typer.Option(
        "--home",
        help="User data directory (default: ASSISTANT_HOME or the platform's).",
    ),
]
UserOption = Annotated[
    str, typer.Option("--user", "-u", help="Whose conversation this is.")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"assistant {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log decisions to stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if verbose:
        logging.getLogger("assistant").setLevel(logging.DEBUG)


@app.command()
def ask(
    text: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(help="The message; '-' or nothing reads it from stdin."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole reply as JSON.")
    ] = False,
    user: UserOption = "default",
    home: HomeOption = None,
    audio: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--audio", help="Answer the speech in this audio file."),
    ] = None,
) -> None:
    """Answer one message (or, with --audio, one spoken request) and exit."""
    if audio is not None:
        from assistant.voice.commands import ask_audio

        if text is not None:
            typer.echo("Error: give a message or --audio, not both.", err=True)
            raise typer.Exit(code=2)
        with _assistant(home) as bot:
            code = ask_audio(bot, audio, user=user, as_json=as_json)
        raise typer.Exit(code=code)
    message: str | bytes = sys.stdin.buffer.read() if text in (None, "-") else str(text)
    with _assistant(home) as bot:
        reply = bot.respond(message, user=user)
    if as_json:
        typer.echo(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(reply.text)
    if reply.intent is None:
        raise typer.Exit(code=1)


@app.command()
def chat(
    user: UserOption = "default",
    home: HomeOption = None,
    plain: Annotated[
        bool, typer.Option("--plain", help="One line at a time, no window.")
    ] = False,
) -> None:
    """Talk with the assistant in a window (line by line with --plain or no TTY)."""
    if not plain and sys.stdin.isatty() and sys.stdout.isatty():
        from assistant.tui import run_chat

        _guard(lambda: run_chat(home=home, user=user))
        return
    from assistant.cli_reminders import show_due_reminders

    with _assistant(home) as bot:
        if not bot.classifier.is_trained:
            typer.echo("First start: training the intent model (a few minutes, once).")
        bot.classifier.load()
        show_due_reminders(bot, user)
        typer.echo("Ask me something. Type 'quit' to leave.")
        while True:
            try:
                line = input("you> ")
            except (EOFError, KeyboardInterrupt):
                typer.echo()
                return
            if line.strip().lower() in {"quit", "exit", ":q"}:
                return
            reply = bot.respond(line, user=user)
            typer.echo(f"assistant> {reply.text}")


@app.command()
def reminders(
    user: UserOption = "default",
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    home: HomeOption = None,
) -> None:
    """List the reminders still to come, soonest first."""
    from assistant.cli_reminders import show_reminders

    with _assistant(home) as bot:
        show_reminders(bot, user=user, limit=limit, as_json=as_json)


@app.command()
def transcribe(
    files: Annotated[
        list[Path], typer.Argument(help="Audio files (WAV, FLAC, MP3...).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    home: HomeOption = None,
) -> None:
    """Print what is said in audio files: text, language, timed segments."""
    from assistant.voice.commands import transcribe_files

    raise typer.Exit(
        code=_guard(lambda: transcribe_files(files, as_json=as_json, home=home))
    )


@app.command()
def listen(
    user: UserOption = "default",
    home: HomeOption = None,
    device: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--device", help="Input device index or name."),
    ] = None,
) -> None:
    """Answer what you say into the microphone, until Ctrl-C."""
    from assistant.voice import commands

    with _assistant(home) as bot:
        commands.listen(bot, user=user, device=commands.parse_device(device))


@app.command()
def train(home: HomeOption = None) -> None:
    """Retrain the intent model now, even if a trained one is cached."""
    with _assistant(home) as bot:
        bot.train()
        model = bot.classifier.model
        typer.echo(f"Intent model ready: {model.version} in {model.folder}")


@intents_app.command("eval")
def evaluate_file(
    file: Annotated[Path, typer.Argument(help="Lines of 'text<TAB>intent'.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON.")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Score the intent model on a labelled file: accuracy, recall, confusions."""
    from assistant.intents.evaluation import evaluate, read_labelled
    from assistant.intents.model import decide

    pairs = _guard(lambda: read_labelled(file))
    with _assistant(home) as bot:
        settings = bot.settings.intents

        def classify(texts: Sequence[str]) -> list[str]:
            predictions = bot.classifier.model.predict_batch(texts)
            decisions = [
                decide(p, threshold=settings.threshold, margin=settings.clarify_margin)
                for p in predictions
            ]
            return [
                "out_of_scope" if d.kind == "out_of_scope" else d.intent
                for d in decisions
            ]

        report = evaluate(pairs, classify)
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else report.format())


@intents_app.command("list")
def list_intents(home: HomeOption = None) -> None:
    """Show every intent with its example count and description."""
    from assistant.config import load_settings
    from assistant.intents.dataset import load_intent_data

    settings = _guard(lambda: load_settings(home))
    data = _guard(lambda: load_intent_data(settings.user_intents_dir))
    for problem in data.problems:
        typer.echo(f"Warning: {problem}", err=True)
    for name in data.labels:
        spec = data.intents[name]
        typer.echo(f"{name:<22} {len(spec.examples):>4}  {spec.description}")


class _assistant:
    """Open the assistant, printing notices and turning its errors into messages."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self.bot: Assistant | None = None

    def __enter__(self) -> Assistant:
        from assistant.bot import Assistant

        def progress(line: str) -> None:
            typer.echo(line, err=True)

        self.bot = _guard(lambda: Assistant(home=self.home, progress=progress))
        for notice in self.bot.notices:
            typer.echo(f"Note: {notice}", err=True)
        return self.bot

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if self.bot is not None:
            self.bot.close()
        if isinstance(error, AssistantError):
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(code=1)


def _guard(action: Callable[[], T]) -> T:
    try:
        return action()
    except AssistantError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def _register_commands() -> None:
    from assistant.cli_feedback import register

    register(app)


_register_commands()


def main() -> None:
    """Entry point of the ``assistant`` command: no traceback ever reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence at the edge
        logging.getLogger(__name__).debug("Unexpected error", exc_info=True)
        typer.echo(
            f"Error: something unexpected went wrong ({type(exc).__name__}: {exc}). "
            "Run again with --verbose to see the details.",
            err=True,
        )
        sys.exit(1)
