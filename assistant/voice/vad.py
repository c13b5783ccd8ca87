"""Voice-activity detection with Silero VAD (the ONNX model faster-whisper ships).

Whisper writes words into silence and noise ("Thank you.", "you"); running it
only on audio where this detector hears speech is the first guard against that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.voice.audio import SAMPLE_RATE

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["FRAME", "SpeechRegion", "StreamingVad", "speech_regions"]

logger = logging.getLogger(__name__)

FRAME = 512
"""Samples per VAD frame (32 ms at 16 kHz)."""


@dataclass(frozen=True, slots=True)
class SpeechRegion:
    """Where speech was heard, in samples."""

    start: int
    end: int


def speech_regions(
    samples: NDArray[np.float32],
    *,
    threshold: float = 0.5,
    min_speech_ms: int = 150,
    min_silence_ms: int = 500,
    pad_ms: int = 300,
) -> list[SpeechRegion]:
    """The stretches of ``samples`` (16 kHz mono) that hold speech, padded."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=threshold,
        min_speech_duration_ms=min_speech_ms,
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=pad_ms,
    )
    found = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    logger.debug("VAD found %d speech region(s): %s", len(found), found)
    return [SpeechRegion(int(r["start"]), int(r["end"])) for r in found]


class StreamingVad:
    """Speech probabilities for audio arriving in pieces, one per 32 ms frame."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._model: Any = get_vad_model()
        self._pending = np.zeros(0, dtype=np.float32)
        self._previous = np.zeros(FRAME, dtype=np.float32)

    def feed(self, samples: NDArray[np.float32]) -> NDArray[np.float32]:
        """Probabilities of speech for each whole frame completed by ``samples``."""
        self._pending = np.concatenate([self._pending, samples])
        count = self._pending.size // FRAME
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        frames = self._pending[: count * FRAME]
        self._pending = self._pending[count * FRAME :]
        # The model reads each frame with the end of the one before as context:
        # lead with the last frame already scored and drop its result.
        batch = np.concatenate([self._previous, frames]).astype(np.float32)
        self._previous = frames[-FRAME:].copy()
        probabilities = np.asarray(self._model(batch)).reshape(-1)
        return probabilities[1:].astype(np.float32)
