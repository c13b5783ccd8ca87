"""Shared helpers of the speech tests: the real clips and text normalisation."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from conftest import SHARED

from assistant.config import load_settings
from assistant.voice import Transcriber

SPEECH = Path(os.environ.get("ASSISTANT_SHARED_DATA") or SHARED / "data") / "speech"
"""The recordings: ``../shared/data/speech``, or under ``$ASSISTANT_SHARED_DATA``."""
CLIPS = SPEECH / "clips"

needs_speech = pytest.mark.skipif(
    not (SPEECH / "transcripts.tsv").is_file(),
    reason="the evaluation recordings in ../shared/data/speech are absent",
)


def references() -> dict[str, str]:
    """Clip file name -> reference transcript ("" for clips with no speech)."""
    if not (SPEECH / "transcripts.tsv").is_file():
        return {}
    with open(SPEECH / "transcripts.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {Path(r["file"]).name: r["reference_transcript"] for r in rows}


def clip(name: str) -> Path:
    return CLIPS / name


def normalise(text: str) -> str:
    """Lower case, no punctuation, "mr" for "mister": for comparing transcripts."""
    text = text.lower().replace("mister", "mr")
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


@pytest.fixture(scope="session")
def shared_transcriber(tmp_path_factory: pytest.TempPathFactory) -> Transcriber:
    """faster-whisper with the packaged tiny.en, loaded once for the session."""
    cache = tmp_path_factory.mktemp("voice-cache")
    whisper = Transcriber(load_settings(cache / "home").voice, cache)
    whisper.load()
    return whisper
