"""The voice commands of the ``assistant`` CLI: transcribe, ask --audio, listen."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.bot import Assistant
    from assistant.reply import Reply
    from assistant.voice.transcript import Transcript

__all__ = ["ask_audio", "listen", "transcribe_files"]


def transcribe_files(files: Sequence[Path], *, as_json: bool, home: Path | None) -> int:
    """Print the transcript of each file; returns the exit code (1 if any failed)."""
    from assistant.config import load_settings
    from assistant.voice.transcriber import Transcriber

    settings = load_settings(home)
    transcriber = Transcriber(settings.voice, settings.cache_dir)
    failed = 0
    results = []
    for file in files:
        try:
            transcript = transcriber.transcribe(file)
        except AssistantError as exc:
            typer.echo(f"Error: {exc}", err=True)
            failed += 1
            results.append({"file": str(file), "error": str(exc)})
            continue
        results.append({"file": str(file), **transcript.to_dict()})
        if not as_json:
            typer.echo(_describe(file, transcript))
    if as_json:
        shown = results[0] if len(results) == 1 else results
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    return 1 if failed else 0


def ask_audio(bot: Assistant, file: Path, *, user: str, as_json: bool) -> int:
    """Answer the speech in ``file``; returns the exit code."""
    reply = bot.respond_audio(file, user=user)
    if as_json:
        typer.echo(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
    else:
        heard = reply.data.get("transcript", {}).get("text")
        if heard:
            typer.echo(f"you> {heard}")
        typer.echo(reply.text)
    return 0 if reply.intent is not None or reply.data.get("confirm") else 1


def listen(bot: Assistant, *, user: str, device: int | str | None) -> None:
    """Answer each utterance heard on the microphone until Ctrl-C.

    Raises:
        MicrophoneError: there is no microphone.
    """
    from assistant.voice.microphone import utterances

    settings = bot.settings.voice
    bot.classifier.load()
    bot.transcriber.load()
    stop = threading.Event()
    chosen = settings.input_device if device is None else device
    heard = utterances(
        max_seconds=settings.max_utterance_seconds,
        device=chosen,
        stop=stop,
        threshold=settings.vad_threshold,
        min_speech_ms=settings.min_speech_ms,
        min_silence_ms=settings.min_silence_ms,
    )
    typer.echo("Listening. Speak, and press Ctrl-C to stop.")
    try:
        for audio in heard:
            ended = time.perf_counter()
            reply = bot.respond_audio(audio, user=user)
            _show(reply, time.perf_counter() - ended)
    except KeyboardInterrupt:
        stop.set()
        typer.echo("\nStopped listening.")
    finally:
        heard.close()


def parse_device(value: str | None) -> int | str | None:
    """A device given on the command line: an index when it is a number."""
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def _show(reply: Reply, seconds: float) -> None:
    heard = reply.data.get("transcript", {})
    if heard.get("text"):
        typer.echo(f"you> {heard['text']}  [{heard.get('confidence', 0):.2f}]")
    typer.echo(f"assistant> {reply.text}  ({seconds:.2f} s)")


def _describe(file: Path, transcript: Transcript) -> str:
    head = (
        f"== {file}  language {transcript.language}, {transcript.duration:.2f} s, "
        f"confidence {transcript.confidence:.2f}"
    )
    if transcript.is_empty:
        return f"{head}\n(no speech)"
    lines = [
        f"[{s.start:6.2f} -> {s.end:6.2f}] {s.text}  (no speech {s.no_speech_prob:.2f})"
        for s in transcript.segments
    ]
    return "\n".join([head, *lines])
