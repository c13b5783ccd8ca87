"""Speech through the whole assistant: the library API and the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from voice_support import clip, needs_speech, normalise, shared_transcriber

from assistant import Assistant, AssistantError
from assistant.voice import Transcriber

__all__ = ["shared_transcriber"]  # the fixture, used by name

TIME = "cmd_what_time_is_it.wav"
ZONE = {"timezone": "Europe/London"}


@pytest.fixture
def speaker(home: Path, shared_transcriber: Transcriber) -> Iterator[Assistant]:
    """An assistant sharing the session's Whisper (loaded once)."""
    bot = Assistant(home=home, config={"conversation": ZONE})
    bot.transcriber = shared_transcriber
    yield bot
    bot.close()


@pytest.fixture
def doubter(home: Path, shared_transcriber: Transcriber) -> Iterator[Assistant]:
    """An assistant that asks "Did you say ...?" about everything it hears."""
    bot = Assistant(
        home=home, config={"conversation": ZONE, "voice": {"confirm_below": 0.99}}
    )
    bot.transcriber.load()  # its own copy: the settings differ
    yield bot
    bot.close()


@needs_speech
def test_respond_audio_answers_and_carries_the_transcript(speaker: Assistant) -> None:
    reply = speaker.respond_audio(clip(TIME), user="ann")

    heard = reply.data["transcript"]
    assert reply.intent == "time.now"
    assert reply.text.startswith("It's")
    assert normalise(heard["text"]) == "what time is it"
    assert 0.5 < heard["confidence"] <= 1.0
    assert heard["segments"][0]["no_speech_prob"] < 0.5
    (row,) = speaker.database.query("SELECT text, data FROM turns WHERE id = ?",
                                    (reply.turn_id,))  # fmt: skip
    assert normalise(row["text"]) == "what time is it"
    assert json.loads(row["data"])["transcript"]["text"] == heard["text"]


def test_silence_is_not_answered(speaker: Assistant) -> None:
    reply = speaker.respond_audio(np.zeros(3 * 16000, dtype=np.float32))

    assert reply.intent is None
    assert reply.data["error"] == "no_speech"
    assert "didn't hear" in reply.text
    assert reply.turn_id > 0


def test_bad_audio_gets_a_reply_not_an_exception(
    speaker: Assistant, tmp_path: Path
) -> None:
    fake = tmp_path / "song.mp3"
    fake.write_text("not really an mp3")

    reply = speaker.respond_audio(fake)

    assert reply.intent is None
    assert reply.data["error"] == "not_audio"
    assert "WAV" in reply.text


@needs_speech
def test_unsure_transcript_is_confirmed_before_acting(doubter: Assistant) -> None:
    asked = doubter.respond_audio(clip(TIME), user="bo")
    answered = doubter.respond("yes", user="bo")

    assert asked.text.startswith("Did you say")
    assert "What time is it" in asked.text
    assert asked.intent is None
    assert asked.data["confirm"] is True
    assert answered.intent == "time.now"
    assert answered.text.startswith("It's")


@needs_speech
def test_no_drops_the_unsure_transcript(doubter: Assistant) -> None:
    doubter.respond_audio(clip(TIME), user="cy")
    denied = doubter.respond("no", user="cy")
    after = doubter.respond("yes", user="cy")

    assert "say it again" in denied.text
    assert after.skill == "dialog"  # nothing waits for a yes any more


@needs_speech
def test_a_spoken_yes_answers_the_question(doubter: Assistant) -> None:
    doubter.respond_audio(clip(TIME), user="di")
    answered = doubter.respond_audio(clip("speechcommands_yes_1000ms.wav"), user="di")

    assert answered.intent == "time.now"
    assert normalise(answered.data["transcript"]["text"]) == "yes"


def test_closed_assistant_refuses_audio(home: Path) -> None:
    bot = Assistant(home=home)
    bot.close()

    with pytest.raises(AssistantError, match="closed"):
        bot.transcribe(np.zeros(16000, dtype=np.float32))


# -- commands -----------------------------------------------------------------


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_CONVERSATION__TIMEZONE": "UTC",
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


@needs_speech
def test_transcribe_command_prints_text_language_and_segments(tmp_path: Path) -> None:
    shown = run(tmp_path, "transcribe", str(clip("jfk.flac")),
                str(clip("nonspeech_noise_1000ms.wav")))  # fmt: skip
    as_json = run(tmp_path, "transcribe", "--json", str(clip(TIME)))

    assert shown.returncode == 0, shown.stderr
    assert "language en" in shown.stdout
    assert "ask not what your country" in shown.stdout
    assert "no speech 0.0" in shown.stdout
    assert "(no speech)" in shown.stdout
    data = json.loads(as_json.stdout)
    assert normalise(data["text"]) == "what time is it"
    assert {"start", "end", "text", "no_speech_prob"} <= set(data["segments"][0])


def test_transcribe_command_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")

    shown = run(tmp_path, "transcribe", str(tmp_path / "notes.txt"),
                str(tmp_path / "missing.wav"))  # fmt: skip

    assert shown.returncode == 1
    assert "cannot be read as audio" in shown.stderr
    assert "There is no file" in shown.stderr
    assert "Traceback" not in shown.stderr


@needs_speech
def test_ask_audio(home: Path) -> None:
    plain = run(home, "ask", "--audio", str(clip(TIME)))
    as_json = run(home, "ask", "--audio", str(clip(TIME)), "--json")

    assert plain.returncode == 0, plain.stderr
    assert "you> What time is it?" in plain.stdout
    assert "It's" in plain.stdout
    data = json.loads(as_json.stdout)
    assert data["intent"] == "time.now"
    assert normalise(data["data"]["transcript"]["text"]) == "what time is it"
