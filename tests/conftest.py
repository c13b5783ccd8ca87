"""Shared fixtures: a private home for every test, one trained model for all.

The default intent model is trained once into ``.cache/test-home`` at the
repository root (or ``ASSISTANT_TEST_CACHE``) and reused by later runs until
the intent data or training settings change: its folder name is their hash.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.bot import Assistant
from assistant.config import load_settings
from assistant.intents.classifier import IntentClassifier

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ZONE = "Europe/London"


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user data directory."""
    for name in ("ASSISTANT_INTENTS__THRESHOLD", "ASSISTANT_CONVERSATION__TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "default-home"))


@pytest.fixture(scope="session")
def trained_cache() -> Path:
    """The default intent model, trained when the data changed since last run."""
    where = os.environ.get("ASSISTANT_TEST_CACHE") or ROOT / ".cache" / "test-home"
    settings = load_settings(Path(where))
    IntentClassifier(settings).load()
    return settings.cache_dir


@pytest.fixture
def home(tmp_path: Path, trained_cache: Path) -> Path:
    """A fresh home whose cache holds the session's trained model."""
    root = tmp_path / "home"
    root.mkdir()
    (root / "cache").symlink_to(trained_cache, target_is_directory=True)
    return root


@pytest.fixture
def bot(home: Path) -> Iterator[Assistant]:
    assistant = Assistant(home=home, config={"conversation": {"timezone": ZONE}})
    yield assistant
    assistant.close()
