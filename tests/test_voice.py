"""Speech to text on real recordings: words where there is speech, none where not."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from voice_support import clip, needs_speech, normalise, references

from assistant.config import load_settings
from assistant.errors import InputError
from assistant.voice import AudioError, Transcriber, Transcript, load_audio
from assistant.voice.convert import read_ct2_model
from assistant.voice.weights import packaged_tiny_en

EMPTY = sorted(name for name, text in references().items() if not text)
LAMPS = [
    "cmd_turn_on_living_room_lamp.wav",
    "cmd_would_you_please_turn_on_living_room_lamp.wav",
]


@pytest.fixture(scope="session")
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voice-cache")


@pytest.fixture(scope="session")
def transcriber(voice_cache: Path) -> Transcriber:
    """faster-whisper with the packaged tiny.en, loaded once for the session."""
    settings = load_settings(voice_cache / "home")
    whisper = Transcriber(settings.voice, voice_cache)
    whisper.load()
    return whisper


# -- audio files --------------------------------------------------------------


@needs_speech
@pytest.mark.parametrize(
    "name",
    ["jfk.flac", "multilingual_en_de.mp3", "stereo_two_speakers.wav",
     "cmd_what_time_is_it.wav", "cmd_turn_on_living_room_lamp.wav"],
)  # fmt: skip
def test_any_format_rate_and_channels_become_16k_mono(name: str) -> None:
    with wave.open(str(clip("nonspeech_silence_1000ms.wav"))) as reference:
        assert reference.getframerate() == 16000
    duration = {"jfk.flac": 11.0, "multilingual_en_de.mp3": 59.9}.get(name)

    samples = load_audio(clip(name))

    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert np.abs(samples).max() <= 1.0
    if duration:
        assert samples.size / 16000 == pytest.approx(duration, abs=0.1)


def test_arrays_are_accepted_as_16k_samples() -> None:
    stereo = np.zeros((16000, 2), dtype=np.int16)
    stereo[:, 0] = 16384

    samples = load_audio(stereo)

    assert samples.shape == (16000,)
    assert samples.dtype == np.float32
    assert samples.max() == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty_audio"), (b"RIFF\x00\x00garbage" * 50, "not_audio"),
     (b"just some text\n" * 100, "not_audio")],
)  # fmt: skip
def test_bad_files_get_a_clear_error(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)

    with pytest.raises(AudioError) as caught:
        load_audio(bad)

    assert caught.value.reason == reason
    assert str(bad) in str(caught.value)
    assert isinstance(caught.value, InputError)


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no file"):
        load_audio(tmp_path / "nothing.wav")
    with pytest.raises(AudioError, match="not a file"):
        load_audio(tmp_path)


def test_truncated_file_keeps_what_it_has_or_fails_clearly(tmp_path: Path) -> None:
    whole = _tone_wav(tmp_path / "tone.wav", seconds=2.0)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[:20000])

    samples = load_audio(cut)

    assert 0 < samples.size < 2 * 16000


def test_too_long_audio_is_refused_not_cut(tmp_path: Path) -> None:
    long = _tone_wav(tmp_path / "long.wav", seconds=4.0)

    with pytest.raises(AudioError, match="limit is 3 s") as caught:
        load_audio(long, max_seconds=3.0)

    assert caught.value.reason == "audio_too_long"
    with pytest.raises(AudioError, match=r"numeric array"):
        load_audio(np.array(["a", "b"]))


# -- transcription on real speech ---------------------------------------------


@needs_speech
def test_jfk(transcriber: Transcriber) -> None:
    expected = references()["jfk.flac"]

    heard = transcriber.transcribe(clip("jfk.flac"))

    assert normalise(heard.text) == normalise(expected)
    assert heard.language == "en"
    assert heard.duration == pytest.approx(11.0, abs=0.05)
    assert heard.confidence > 0.5
    assert heard.segments[0].start >= 0.0
    assert heard.segments[-1].end <= 11.05
    assert all(s.no_speech_prob < 0.5 for s in heard.segments)


@needs_speech
@pytest.mark.parametrize("name", LAMPS)
def test_lamp_commands_are_transcribed_exactly(
    transcriber: Transcriber, name: str
) -> None:
    heard = transcriber.transcribe(clip(name))

    assert normalise(heard.text) == normalise(references()[name])
    assert heard.confidence >= transcriber.settings.confirm_below


@needs_speech
@pytest.mark.parametrize("name", EMPTY or ["(no clips)"])
def test_clips_without_speech_give_no_words(
    transcriber: Transcriber, name: str
) -> None:
    heard = transcriber.transcribe(clip(name))

    assert heard.text == ""
    assert heard.segments == ()
    assert heard.confidence == 0.0
    assert heard.is_empty


@needs_speech
@pytest.mark.parametrize(
    ("name", "word"),
    [("speechcommands_yes_1000ms.wav", "yes"), ("speechcommands_no_1000ms.wav", "no")],
)
def test_one_word_clips(transcriber: Transcriber, name: str, word: str) -> None:
    assert normalise(transcriber.transcribe(clip(name)).text) == word


def test_silence_and_noise_arrays_give_no_words(transcriber: Transcriber) -> None:
    noise = np.random.default_rng(0).normal(0, 0.05, 3 * 16000).astype(np.float32)

    assert transcriber.transcribe(np.zeros(16000 * 3, dtype=np.float32)).text == ""
    assert transcriber.transcribe(noise).text == ""


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
def test_speech_synthesised_with_espeak(
    transcriber: Transcriber, tmp_path: Path
) -> None:
    spoken = tmp_path / "spoken.wav"
    subprocess.run(
        ["espeak-ng", "-w", str(spoken), "turn on the kitchen light please"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip

    heard = normalise(transcriber.transcribe(spoken).text)

    assert {"kitchen", "light"} <= set(heard.split())


def test_transcript_is_json_serialisable(transcriber: Transcriber) -> None:
    heard = transcriber.transcribe(np.zeros(8000, dtype=np.float32))

    data = json.loads(json.dumps(heard.to_dict()))

    assert data["text"] == ""
    assert data["segments"] == []
    assert isinstance(heard, Transcript)


# -- weights ------------------------------------------------------------------


def test_packaged_weights_read_as_whisper_tiny_en() -> None:
    tensors = read_ct2_model(packaged_tiny_en() / "model.bin")

    assert tensors["decoder/embeddings/weight"].shape == (51864, 384)
    assert tensors["decoder/projection/weight"] is tensors["decoder/embeddings/weight"]
    assert int(tensors["encoder/num_heads"]) == 6


def _tone_wav(path: Path, *, seconds: float) -> Path:
    t = np.arange(int(seconds * 16000)) / 16000
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
    return path
