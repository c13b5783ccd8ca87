"""Speech to text: VAD, then Whisper, then the hallucination guards.

1. Silero VAD finds the speech; audio with none gives an empty transcript
   without running Whisper at all.
2. Whisper decodes the span from the first to the last speech.
3. Segments Whisper itself thinks are silence (no-speech probability high and
   log-probability low), that repeat themselves (compression ratio), or that
   hold no words ("[Music]", "...") are dropped.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.voice.audio import SAMPLE_RATE, AudioSource, load_audio
from assistant.voice.backends import Backend, ModelSpec, cpu_threads
from assistant.voice.errors import SpeechModelError
from assistant.voice.transcript import Segment, Transcript, confidence_of
from assistant.voice.vad import SpeechRegion, speech_regions

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from assistant.config import VoiceSettings

__all__ = ["Transcriber"]

logger = logging.getLogger(__name__)

MIN_DETECT_SECONDS = 2.0
"""Less speech than this is too little to tell the language: English is assumed."""
MIN_DETECT_PROBABILITY = 0.5
"""A language detected with less probability than this is not trusted."""

_WORD = re.compile(r"\w", re.UNICODE)
_NOISE_TAG = re.compile(r"^\s*[\[\(\*♪].*[\]\)\*♪]\s*$")


class Transcriber:
    """Whisper with its guards; loads the model on first use, once, thread-safe.

    Args:
        settings: the ``voice`` settings.
        cache_dir: where converted and joined weights are kept.
    """

    def __init__(self, settings: VoiceSettings, cache_dir: Path) -> None:
        self.settings = settings
        self.cache_dir = cache_dir / "voice"
        self._backend: Backend | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @property
    def is_loaded(self) -> bool:
        return self._backend is not None

    def load(self) -> Backend:
        """Load Whisper now (it loads by itself on the first transcription).

        Raises:
            SpeechModelError: the weights or the backend cannot be loaded.
        """
        with self._load_lock:
            if self._backend is None:
                self._backend = self._create()
            return self._backend

    def transcribe(
        self, source: AudioSource, *, language: str | None = None
    ) -> Transcript:
        """The words spoken in ``source`` (a file path or 16 kHz samples).

        Args:
            source: an audio file (any common format) or 16 kHz mono samples.
            language: the spoken language; default the ``voice.language``
                setting, or detection when that is unset.

        Raises:
            AudioError: the audio cannot be read, is empty or too long.
            SpeechModelError: Whisper cannot be loaded.
        """
        samples = load_audio(source, max_seconds=self.settings.max_seconds)
        return self.transcribe_samples(samples, language=language)

    def transcribe_samples(
        self, samples: NDArray[np.float32], *, language: str | None = None
    ) -> Transcript:
        """Like :meth:`transcribe`, for samples already at 16 kHz mono float32."""
        settings = self.settings
        duration = samples.size / SAMPLE_RATE
        regions = speech_regions(
            samples,
            threshold=settings.vad_threshold,
            min_speech_ms=settings.min_speech_ms,
        )
        fallback = language or settings.language or "en"
        if not regions:
            logger.debug("No speech heard in %.2f s of audio", duration)
            return Transcript("", fallback, duration=duration)

        backend = self.load()
        start, end = regions[0].start, regions[-1].end
        speech = samples[start:end]
        with self._run_lock:
            chosen = self._language(backend, speech, regions, language)
            decoded = backend.transcribe(speech, language=chosen)
        offset = start / SAMPLE_RATE
        kept, dropped = self._guard(decoded.segments, offset)
        text = " ".join(s.text for s in kept).strip()
        return Transcript(
            text=text,
            language=decoded.language if decoded.multilingual else "en",
            segments=tuple(kept),
            confidence=confidence_of(kept),
            duration=duration,
            dropped=tuple(dropped),
        )

    def _language(
        self,
        backend: Backend,
        speech: NDArray[np.float32],
        regions: list[SpeechRegion],
        language: str | None,
    ) -> str | None:
        """The language to decode in: asked, configured, or detected with care."""
        if not backend.multilingual:
            return "en"
        if language or self.settings.language:
            return language or self.settings.language
        seconds = sum(r.end - r.start for r in regions) / SAMPLE_RATE
        if seconds < MIN_DETECT_SECONDS:
            logger.debug("%.2f s of speech: too short to detect, assuming en", seconds)
            return "en"
        detected, probability = backend.detect_language(speech)
        logger.debug("Detected language %s (p=%.2f)", detected, probability)
        return detected if probability >= MIN_DETECT_PROBABILITY else "en"

    def _guard(
        self, segments: list[Segment], offset: float
    ) -> tuple[list[Segment], list[Segment]]:
        """Split segments into kept and dropped ones, shifted by ``offset`` seconds."""
        settings = self.settings
        kept: list[Segment] = []
        dropped: list[Segment] = []
        for raw in segments:
            segment = Segment(
                start=round(raw.start + offset, 3),
                end=round(raw.end + offset, 3),
                text=raw.text,
                avg_logprob=raw.avg_logprob,
                no_speech_prob=raw.no_speech_prob,
                compression_ratio=raw.compression_ratio,
            )
            silent = (
                segment.no_speech_prob > settings.no_speech_threshold
                and segment.avg_logprob < settings.logprob_threshold
            )
            repetitive = (
                segment.compression_ratio > settings.compression_ratio_threshold
            )
            wordless = not _WORD.search(segment.text) or bool(
                _NOISE_TAG.match(segment.text)
            )
            if silent or repetitive or wordless:
                logger.debug(
                    "Dropped segment %r (silent=%s repetitive=%s)",
                    segment.text,
                    silent,
                    repetitive,
                )
                dropped.append(segment)
            else:
                kept.append(segment)
        return kept, dropped

    def _create(self) -> Backend:
        settings = self.settings
        spec = self._spec()
        logger.info(
            "Loading Whisper (%s) from %s on %s",
            settings.backend,
            spec.source,
            spec.device,
        )
        if settings.backend == "openai-whisper":
            from assistant.voice.backends import OpenAIWhisper

            return OpenAIWhisper(spec, self.cache_dir)
        from assistant.voice.backends import FasterWhisper

        return FasterWhisper(spec)

    def _spec(self) -> ModelSpec:
        settings = self.settings
        source, is_folder = self._weights()
        device = settings.device
        if device == "auto":
            device = "cuda" if _has_cuda(settings.backend) else "cpu"
        compute = settings.compute_type
        if compute == "default":
            compute = "float16" if device == "cuda" else "int8"
        return ModelSpec(
            source=source,
            is_folder=is_folder,
            device=device,
            compute_type=compute,
            threads=cpu_threads(settings.threads),
            beam_size=settings.beam_size,
            no_speech_threshold=settings.no_speech_threshold,
            logprob_threshold=settings.logprob_threshold,
            compression_ratio_threshold=settings.compression_ratio_threshold,
        )

    def _weights(self) -> tuple[str, bool]:
        """(source, whether it is a local CTranslate2 folder)."""
        configured = self.settings.model
        if configured:
            path = Path(configured).expanduser()
            if path.is_dir():
                return str(path), True
            if path.is_file():
                return str(path), False
            if "/" in configured or "\\" in configured or configured.startswith("~"):
                raise SpeechModelError(
                    f"voice.model is {configured!r}, but there is no such folder. "
                    "Give a CTranslate2 Whisper folder, or remove the setting."
                )
            return configured, False  # a hub name: downloads, only when asked
        if self.settings.multilingual:
            from assistant.voice.weights import multilingual_base

            return str(multilingual_base(self.cache_dir)), True
        from assistant.voice.weights import packaged_tiny_en

        return str(packaged_tiny_en()), True


def _has_cuda(backend: str) -> bool:
    try:
        if backend == "openai-whisper":
            import torch

            return bool(torch.cuda.is_available())
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count()) > 0
    except (ImportError, RuntimeError, OSError):
        return False
