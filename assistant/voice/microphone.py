"""Recording from the microphone (sounddevice / PortAudio), cut by Silero VAD.

An utterance starts with the first frame that sounds like speech (plus a
little audio from just before it) and ends after ``min_silence_ms`` of
silence, or at ``max_seconds``. Speech shorter than ``min_speech_ms`` (a
click, a cough) is ignored and listening goes on.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.voice.audio import SAMPLE_RATE
from assistant.voice.errors import MicrophoneError
from assistant.voice.vad import FRAME, StreamingVad

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Microphone", "input_devices", "record_utterance", "utterances"]

logger = logging.getLogger(__name__)

PRE_ROLL_SECONDS = 0.3
"""Audio kept from before the speech started, so first sounds are not cut."""
_POLL_SECONDS = 0.1

_NO_DEVICE = (
    "No microphone found: PortAudio lists no input device{detail}. Connect one "
    "or choose another with --device / voice.input_device (`python -m "
    "sounddevice` lists them)."
)


def record_utterance(
    *,
    max_seconds: float = 15.0,
    device: int | str | None = None,
    stop: threading.Event | None = None,
    wait_seconds: float | None = None,
    threshold: float = 0.5,
    min_speech_ms: int = 150,
    min_silence_ms: int = 500,
) -> NDArray[np.float32] | None:
    """Record one utterance: blocks until it ends; ``None`` when nothing was said.

    Args:
        max_seconds: an utterance longer than this is cut here.
        device: a PortAudio input device index or name; default: the system's.
        stop: set it (from another thread) to stop waiting; gives ``None``.
        wait_seconds: give up (``None``) after this long without speech.
        threshold: VAD speech probability for a frame to count as speech.
        min_speech_ms: shorter speech is ignored.
        min_silence_ms: this much silence ends the utterance.

    Returns:
        16 kHz mono float32 samples, or ``None``.

    Raises:
        MicrophoneError: there is no input device or it cannot be opened.
    """
    with Microphone(device) as microphone:
        return microphone.utterance(
            max_seconds=max_seconds,
            stop=stop,
            wait_seconds=wait_seconds,
            threshold=threshold,
            min_speech_ms=min_speech_ms,
            min_silence_ms=min_silence_ms,
        )


def utterances(
    *,
    max_seconds: float = 15.0,
    device: int | str | None = None,
    stop: threading.Event | None = None,
    threshold: float = 0.5,
    min_speech_ms: int = 150,
    min_silence_ms: int = 500,
) -> Generator[NDArray[np.float32], None, None]:
    """Utterance after utterance from one open microphone, until ``stop`` is set.

    Audio keeps being captured while the caller handles an utterance, so
    nothing said in the meantime is lost.

    Raises:
        MicrophoneError: there is no input device or it cannot be opened.
    """
    with Microphone(device) as microphone:
        while stop is None or not stop.is_set():
            audio = microphone.utterance(
                max_seconds=max_seconds,
                stop=stop,
                threshold=threshold,
                min_speech_ms=min_speech_ms,
                min_silence_ms=min_silence_ms,
            )
            if audio is not None:
                yield audio


def input_devices() -> list[dict[str, Any]]:
    """The input devices PortAudio sees (index, name, channels, default rate).

    Raises:
        MicrophoneError: PortAudio is not installed.
    """
    sd = _sounddevice()
    return [
        {
            "index": index,
            "name": info["name"],
            "channels": info["max_input_channels"],
            "rate": info["default_samplerate"],
        }
        for index, info in enumerate(sd.query_devices())
        if info["max_input_channels"] > 0
    ]


class Microphone:
    """An open input stream at 16 kHz mono; use it as a context manager.

    Raises:
        MicrophoneError: there is no input device or it cannot be opened.
    """

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device
        self.ended_at = 0.0
        """``time.perf_counter()`` when the last utterance's speech ended."""
        self._chunks: queue.Queue[NDArray[np.float32]] = queue.Queue()
        self._stream: Any = None

    def __enter__(self) -> Microphone:
        sd = _sounddevice()
        try:
            info = sd.query_devices(self.device, kind="input")
        except (sd.PortAudioError, ValueError) as exc:
            raise MicrophoneError(_NO_DEVICE.format(detail=f" ({exc})")) from exc
        logger.debug("Recording from %s", info["name"])
        try:
            self._stream = sd.InputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="float32",
                blocksize=FRAME,
                device=self.device,
                callback=self._on_audio,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise MicrophoneError(
                f"The microphone {info['name']!r} cannot be opened at 16 kHz mono "
                f"({exc}). Choose another with --device / voice.input_device."
            ) from exc
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.abort()  # drop what is buffered: stop() may wait on it
            self._stream.close()
            self._stream = None

    def _on_audio(self, data: Any, frames: int, when: Any, status: Any) -> None:
        if status:
            logger.debug("Input stream status: %s", status)
        self._chunks.put(np.array(data[:, 0], dtype=np.float32))

    def utterance(
        self,
        *,
        max_seconds: float = 15.0,
        stop: threading.Event | None = None,
        wait_seconds: float | None = None,
        threshold: float = 0.5,
        min_speech_ms: int = 150,
        min_silence_ms: int = 500,
    ) -> NDArray[np.float32] | None:
        """The next utterance (see :func:`record_utterance`)."""
        vad = StreamingVad()
        cutter = _Cutter(threshold, min_speech_ms, min_silence_ms, max_seconds)
        deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
        while stop is None or not stop.is_set():
            try:
                chunk = self._chunks.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if (
                    deadline is not None
                    and not cutter.started
                    and (time.monotonic() > deadline)
                ):
                    return None
                continue
            done = cutter.add(chunk, vad.feed(chunk))
            if done:
                self.ended_at = time.perf_counter()
                return cutter.audio()
            if (
                deadline is not None
                and not cutter.started
                and (time.monotonic() > deadline)
            ):
                return None
        return None


class _Cutter:
    """Decides, frame by frame, where an utterance starts and ends."""

    def __init__(
        self, threshold: float, min_speech_ms: int, min_silence_ms: int, max_s: float
    ) -> None:
        self.threshold = threshold
        self.silence_threshold = max(threshold - 0.15, 0.01)
        self.min_speech = max(1, round(min_speech_ms / 32))
        self.min_silence = max(1, round(min_silence_ms / 32))
        self.max_samples = int(max_s * SAMPLE_RATE)
        pre_roll = int(PRE_ROLL_SECONDS * SAMPLE_RATE / FRAME)
        self._before: deque[NDArray[np.float32]] = deque(maxlen=pre_roll)
        self._audio: list[NDArray[np.float32]] = []
        self._buffer = np.zeros(0, dtype=np.float32)
        self.started = False
        self._speech = 0
        self._silence = 0

    def add(
        self, chunk: NDArray[np.float32], probabilities: NDArray[np.float32]
    ) -> bool:
        """Take captured audio and its frames' probabilities; True when it ended."""
        self._buffer = np.concatenate([self._buffer, chunk])
        for probability in probabilities:
            frame, self._buffer = self._buffer[:FRAME], self._buffer[FRAME:]
            if self._frame(frame, float(probability)):
                return True
        return False

    def _frame(self, frame: NDArray[np.float32], probability: float) -> bool:
        if not self.started:
            if probability < self.threshold:
                self._before.append(frame)
                return False
            self.started = True
            self._audio = [*self._before, frame]
            self._speech, self._silence = 1, 0
            return False
        self._audio.append(frame)
        if probability >= self.threshold:
            self._speech += 1
            self._silence = 0
        elif probability < self.silence_threshold:
            self._silence += 1
        too_long = len(self._audio) * FRAME >= self.max_samples
        if self._silence < self.min_silence and not too_long:
            return False
        if self._speech >= self.min_speech:
            return True
        logger.debug("Ignored %d frame(s) of speech: too short", self._speech)
        self._reset()
        return False

    def _reset(self) -> None:
        self.started = False
        self._before.clear()
        self._audio = []

    def audio(self) -> NDArray[np.float32]:
        return np.concatenate(self._audio).astype(np.float32)


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library itself is missing
        raise MicrophoneError(
            "PortAudio is not installed, so no microphone can be used "
            f"({exc}). Install it (Debian/Ubuntu: `apt install libportaudio2`)."
        ) from exc
    return sounddevice
