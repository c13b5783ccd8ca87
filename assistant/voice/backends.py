"""The two Whisper implementations behind one small interface.

``FasterWhisper`` runs CTranslate2 (int8 on a CPU: the fastest there);
``OpenAIWhisper`` runs the reference PyTorch code on the same weights,
converted once by :mod:`assistant.voice.convert`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.voice.errors import SpeechModelError
from assistant.voice.transcript import Segment

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Backend", "Decoded", "FasterWhisper", "ModelSpec", "OpenAIWhisper"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Which weights to load and where to run them."""

    source: str
    """A CTranslate2 folder, or a hub/model name (needs internet)."""
    is_folder: bool
    device: str
    """``cpu`` or ``cuda``."""
    compute_type: str
    threads: int
    beam_size: int
    no_speech_threshold: float
    logprob_threshold: float
    compression_ratio_threshold: float


@dataclass(frozen=True, slots=True)
class Decoded:
    """A backend's raw answer: segments and the language it used."""

    segments: list[Segment]
    language: str
    multilingual: bool


class Backend(Protocol):
    """A loaded Whisper model."""

    name: str
    multilingual: bool

    def transcribe(
        self, samples: NDArray[np.float32], *, language: str | None
    ) -> Decoded:
        """Decode 16 kHz mono samples; ``language=None`` detects it."""

    def detect_language(self, samples: NDArray[np.float32]) -> tuple[str, float]:
        """The most likely language and its probability."""


class FasterWhisper:
    """faster-whisper (CTranslate2)."""

    name = "faster-whisper"

    def __init__(self, spec: ModelSpec) -> None:
        from faster_whisper import WhisperModel

        self.spec = spec
        try:
            self.model = WhisperModel(
                spec.source,
                device=spec.device,
                compute_type=spec.compute_type,
                cpu_threads=spec.threads,
                local_files_only=spec.is_folder,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise SpeechModelError(
                f"Cannot load the Whisper model {spec.source!r} with faster-whisper "
                f"({exc}). Check voice.model, or remove it to use the packaged one."
            ) from exc
        self.multilingual = bool(self.model.model.is_multilingual)

    def transcribe(
        self, samples: NDArray[np.float32], *, language: str | None
    ) -> Decoded:
        spec = self.spec
        pieces, info = self.model.transcribe(
            samples,
            language=language if self.multilingual else "en",
            beam_size=spec.beam_size,
            condition_on_previous_text=False,
            no_speech_threshold=spec.no_speech_threshold,
            log_prob_threshold=spec.logprob_threshold,
            compression_ratio_threshold=spec.compression_ratio_threshold,
            vad_filter=False,
        )
        segments = [
            Segment(
                start=float(s.start),
                end=float(s.end),
                text=s.text.strip(),
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
                compression_ratio=float(s.compression_ratio),
            )
            for s in pieces
        ]
        return Decoded(segments, info.language, self.multilingual)

    def detect_language(self, samples: NDArray[np.float32]) -> tuple[str, float]:
        language, probability, _ = self.model.detect_language(samples)
        return str(language), float(probability)


class OpenAIWhisper:
    """openai-whisper (PyTorch), on converted or named weights."""

    name = "openai-whisper"

    def __init__(self, spec: ModelSpec, cache_dir: Path) -> None:
        try:
            import whisper
        except ImportError as exc:
            raise SpeechModelError(
                "The openai-whisper backend is not installed. Install it with "
                "`pip install --no-deps openai-whisper==20250625` (plus numba, "
                "tiktoken, tqdm, more-itertools), or set voice.backend = "
                '"faster-whisper".'
            ) from exc
        from assistant.voice.convert import convert_ct2_whisper

        self.spec = spec
        checkpoint = (
            str(convert_ct2_whisper(Path(spec.source), cache_dir))
            if spec.is_folder
            else spec.source
        )
        try:
            self.model: Any = whisper.load_model(checkpoint, device=spec.device)
        except (RuntimeError, ValueError, OSError) as exc:
            raise SpeechModelError(
                f"Cannot load the Whisper model {spec.source!r} with openai-whisper "
                f"({exc}). Check voice.model, or remove it to use the packaged one."
            ) from exc
        if spec.device == "cpu" and spec.threads:
            import torch

            torch.set_num_threads(spec.threads)
        self.multilingual = bool(self.model.is_multilingual)
        _load_tokenizer(self.multilingual, self.model.num_languages)

    def transcribe(
        self, samples: NDArray[np.float32], *, language: str | None
    ) -> Decoded:
        spec = self.spec
        result = self.model.transcribe(
            samples,
            language=language if self.multilingual else "en",
            beam_size=spec.beam_size if spec.beam_size > 1 else None,
            fp16=spec.device == "cuda",
            condition_on_previous_text=False,
            no_speech_threshold=spec.no_speech_threshold,
            logprob_threshold=spec.logprob_threshold,
            compression_ratio_threshold=spec.compression_ratio_threshold,
            verbose=None,
        )
        segments = [
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]).strip(),
                avg_logprob=float(s["avg_logprob"]),
                no_speech_prob=float(s["no_speech_prob"]),
                compression_ratio=float(s["compression_ratio"]),
            )
            for s in result["segments"]
        ]
        return Decoded(segments, str(result.get("language") or "en"), self.multilingual)

    def detect_language(self, samples: NDArray[np.float32]) -> tuple[str, float]:
        import whisper

        audio = whisper.pad_or_trim(samples)
        mel = whisper.log_mel_spectrogram(audio, self.model.dims.n_mels)
        _, probabilities = self.model.detect_language(mel.to(self.model.device))
        language = max(probabilities, key=probabilities.get)
        return str(language), float(probabilities[language])


def _load_tokenizer(multilingual: bool, languages: int) -> None:
    """Read openai-whisper's vocabulary once, now, quietly.

    Its loader leaves the vocabulary file for the garbage collector to close
    (a ``ResourceWarning``); the encoding is cached, so this happens only here.
    """
    import warnings

    from whisper.tokenizer import get_tokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        get_tokenizer(multilingual, num_languages=languages, task="transcribe")


def cpu_threads(configured: int) -> int:
    """The CPU threads to use: the configured number, or every core we may use."""
    if configured:
        return configured
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
