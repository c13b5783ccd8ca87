"""Reading audio: any common file or array becomes 16 kHz mono float32."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

from assistant.voice.errors import AudioError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["SAMPLE_RATE", "AudioSource", "as_samples", "load_audio"]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
"""Whisper's sample rate; everything is converted to it."""

AudioSource = Union[str, os.PathLike[str], "NDArray[np.generic]"]
"""A path to an audio file, or samples already at 16 kHz."""


def load_audio(
    source: AudioSource, *, max_seconds: float = 120.0
) -> NDArray[np.float32]:
    """Samples of ``source`` at 16 kHz, mono, float32 in [-1, 1].

    Args:
        source: a file path (WAV, FLAC, MP3, OGG, M4A... any rate, any
            channels), or an array of 16 kHz samples (float in [-1, 1] or
            int16; two dimensions are mixed down to mono).
        max_seconds: longer audio is refused rather than cut.

    Raises:
        AudioError: the file is missing, empty, not audio, corrupt or too long.
    """
    if isinstance(source, (str, os.PathLike)):
        samples = _decode(Path(source), max_seconds)
    else:
        samples = as_samples(source)
    if samples.size == 0:
        raise AudioError(
            "The audio is empty: it holds no samples. Record or choose another file.",
            reason="empty_audio",
        )
    seconds = samples.size / SAMPLE_RATE
    if seconds > max_seconds:
        raise AudioError(
            f"The audio is {seconds:.0f} s long; the limit is {max_seconds:.0f} s "
            "(voice.max_seconds). Cut it into shorter pieces.",
            reason="audio_too_long",
            seconds=round(seconds),
            limit=round(max_seconds),
        )
    return samples


def as_samples(array: object) -> NDArray[np.float32]:
    """An array of 16 kHz samples as mono float32; int16 is scaled to [-1, 1].

    Raises:
        AudioError: the array is not numeric, or has more than two dimensions.
    """
    samples = np.asarray(array)
    if samples.dtype.kind not in "fiu" or samples.ndim > 2:
        raise AudioError(
            f"Expected audio samples (a 1-D or 2-D numeric array), got "
            f"{samples.dtype} with shape {samples.shape}.",
            reason="not_audio",
        )
    if samples.dtype.kind in "iu":
        scale = float(np.iinfo(samples.dtype).max) + 1.0
        samples = samples.astype(np.float32) / scale
    if samples.ndim == 2:  # (frames, channels), or (channels, frames) if wider
        axis = 1 if samples.shape[0] >= samples.shape[1] else 0
        samples = samples.mean(axis=axis)
    samples = np.nan_to_num(samples.astype(np.float32, copy=False))
    clipped: NDArray[np.float32] = np.clip(samples, -1.0, 1.0)
    return clipped


def _decode(path: Path, max_seconds: float) -> NDArray[np.float32]:
    """Decode a file with PyAV (FFmpeg libraries, no ffmpeg program needed)."""
    import av

    _check_file(path)
    limit = int((max_seconds + 1.0) * SAMPLE_RATE)
    chunks: list[NDArray[np.float32]] = []
    total = 0
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(
                    f"{path} has no audio track. Choose an audio file "
                    "(WAV, FLAC, MP3, OGG).",
                    reason="not_audio",
                )
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.float32)
                    chunks.append(chunk)
                    total += chunk.size
                if total > limit:
                    break
            else:
                chunks.extend(
                    o.to_ndarray().reshape(-1).astype(np.float32)
                    for o in resampler.resample(None)
                )
    except AudioError:
        raise
    except (av.FFmpegError, ValueError, UnicodeDecodeError) as exc:
        logger.debug("Decoding %s failed", path, exc_info=True)
        raise AudioError(
            f"{path} cannot be read as audio ({exc}). It may be corrupt or not an "
            "audio file; try WAV, FLAC, MP3 or OGG.",
            reason="not_audio",
        ) from exc
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.clip(np.concatenate(chunks).astype(np.float32, copy=False), -1.0, 1.0)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise AudioError(f"There is no file {path}. Check the path.", reason="no_file")
    if not path.is_file():
        raise AudioError(f"{path} is not a file. Give an audio file.", reason="no_file")
    if path.stat().st_size == 0:
        raise AudioError(
            f"{path} is empty (0 bytes). Record or choose another file.",
            reason="empty_audio",
        )
