"""Shared fixtures: a private home for every test, one trained model per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.bot import Assistant
from assistant.config import load_settings
from assistant.intents.classifier import IntentClassifier

SHARED = Path(__file__).resolve().parents[2] / "shared"
ZONE = "Europe/London"


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user data directory."""
    for name in ("ASSISTANT_INTENTS__THRESHOLD", "ASSISTANT_CONVERSATION__TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "default-home"))


@pytest.fixture(scope="session")
def trained_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default intent model, trained once for the whole session."""
    settings = load_settings(tmp_path_factory.mktemp("trained-home"))
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
