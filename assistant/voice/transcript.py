"""What speech-to-text returns."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Segment", "Transcript"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech Whisper decoded, with its times in the audio (seconds).

    Attributes:
        avg_logprob: Whisper's mean token log-probability (closer to 0 is surer).
        no_speech_prob: Whisper's probability that the stretch holds no speech.
        compression_ratio: gzip ratio of the text; high means repetitive.
    """

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float = 1.0


@dataclass(frozen=True, slots=True)
class Transcript:
    """The words heard in an audio clip, and how sure the model was.

    Attributes:
        text: the words, or ``""`` when no speech was heard.
        language: ISO code of the language transcribed.
        segments: the kept segments, in order.
        confidence: 0 to 1; the duration-weighted mean token probability of
            the segments, times their speech probability; 0 for no speech.
        duration: length of the audio in seconds.
        dropped: segments discarded as hallucinations (silence or repetition).
    """

    text: str
    language: str
    segments: tuple[Segment, ...] = ()
    confidence: float = 0.0
    duration: float = 0.0
    dropped: tuple[Segment, ...] = field(default=(), repr=False)

    @property
    def is_empty(self) -> bool:
        return not self.text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (rounded for reading)."""
        data = asdict(self)
        data["confidence"] = round(self.confidence, 3)
        data["duration"] = round(self.duration, 3)
        for key in ("segments", "dropped"):
            data[key] = [_rounded(segment) for segment in data[key]]
        return data


def confidence_of(segments: tuple[Segment, ...] | list[Segment]) -> float:
    """Duration-weighted mean of ``exp(avg_logprob) * (1 - no_speech_prob)``."""
    weights = [max(s.end - s.start, 0.01) for s in segments]
    if not segments:
        return 0.0
    scores = [
        math.exp(min(s.avg_logprob, 0.0)) * (1.0 - s.no_speech_prob) for s in segments
    ]
    return sum(w * c for w, c in zip(weights, scores, strict=True)) / sum(weights)


def _rounded(segment: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in segment.items()}
