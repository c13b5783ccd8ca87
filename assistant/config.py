"""Settings: defaults, then the user's ``config.toml``, then environment variables.

All user data lives under one directory, the *home*: ``ASSISTANT_HOME`` if set,
else the platform's user data directory. The config file is ``<home>/config.toml``
with one table per section::

    [intents]
    threshold = 0.55

Any field can be overridden by an environment variable named
``ASSISTANT_<SECTION>__<FIELD>``, e.g. ``ASSISTANT_INTENTS__THRESHOLD=0.6``.
Values passed to :func:`load_settings` win over both.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from assistant.errors import ConfigError

__all__ = ["IntentSettings", "Settings", "default_home", "load_settings"]

APP_NAME = "assistant"
CONFIG_FILE = "config.toml"

_config_file: ContextVar[Path | None] = ContextVar("_config_file", default=None)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IntentSettings(_Section):
    """How the intent model is trained and how it decides."""

    method: Literal["finetune", "frozen"] = "finetune"
    """Fine-tune the whole encoder, or train only a head on frozen embeddings."""
    encoder_path: Path | None = None
    """A sentence-transformers folder to start from; default: the packaged MiniLM."""
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Below this confidence a turn is treated as out of scope."""
    clarify_margin: float = Field(default=0.2, ge=0.0, le=1.0)
    """Ask which one was meant when the top two intents are closer than this."""
    epochs: int = Field(default=6, ge=1, le=100)
    learning_rate: float = Field(default=8e-5, gt=0.0)
    batch_size: int = Field(default=32, ge=1)
    max_tokens: int = Field(default=48, ge=8, le=512)
    quantize: bool = True
    """Store the trained encoder as int8 (about 2x faster on a CPU)."""
    seed: int = 13


class EmbeddingSettings(_Section):
    """The sentence encoder that search, answers and recommendations share."""

    encoder_path: Path | None = None
    """A sentence-transformers folder; default: the packaged all-MiniLM-L6-v2."""
    max_tokens: int = Field(default=256, ge=8, le=512)
    """Longer passages are truncated to this many tokens."""
    batch_size: int = Field(default=32, ge=1)
    quantize: bool = False
    """Run the encoder with int8 weights: faster, slightly less accurate."""


class ConversationSettings(_Section):
    """Limits of a conversation."""

    max_chars: int = Field(default=2000, ge=1)
    """Longer messages are refused with a clear message, not truncated."""
    context_turns: int = Field(default=10, ge=1)
    """How many past turns per user are kept in memory."""
    timezone: str | None = None
    """IANA zone such as ``Europe/Paris``; default: the system's zone."""


class FeedbackSettings(_Section):
    """How feedback changes the assistant (see :mod:`assistant.feedback`)."""

    near_duplicate: float = Field(default=90.0, ge=50.0, le=100.0)
    """A corrected sentence applies to a new one this similar (rapidfuzz
    ``ratio`` of the normalised texts, 0-100): 90 allows a typo or two."""
    low_confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    """A thumbs-down on a reply below this confidence lowers trust around it."""
    distrust_similarity: float = Field(default=75.0, ge=50.0, le=100.0)
    """How close (rapidfuzz ``token_set_ratio``) a sentence must be to a
    distrusted one to get a clarifying question instead of an action."""
    retrain: bool = True
    """Train the user's own intent layer in the background after a correction."""
    user_weight: float = Field(default=5.0, gt=0.0)
    """How much one corrected example counts against one shipped example."""
    anchor: float = Field(default=0.02, ge=0.0)
    """Pull of the user layer toward the shipped one (higher: changes less)."""
    steps: int = Field(default=300, ge=1, le=10000)
    """Optimisation steps when fitting a user layer."""
    share_learning: bool = False
    """Learn one layer from every user's corrections and use it for all users.
    Off by default: nothing one user teaches reaches another user."""


class Settings(BaseSettings):
    """Everything the assistant can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    home: Path = Field(default_factory=lambda: default_home())
    intents: IntentSettings = IntentSettings()
    conversation: ConversationSettings = ConversationSettings()
    embeddings: EmbeddingSettings = EmbeddingSettings()
    feedback: FeedbackSettings = FeedbackSettings()

    @property
    def database_path(self) -> Path:
        return self.home / "assistant.db"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def learned_dir(self) -> Path:
        """Intent layers learned from users' corrections (personal data)."""
        return self.home / "learned"

    @property
    def user_intents_dir(self) -> Path:
        return self.home / "intents"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        path = _config_file.get()
        if path is not None and path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


def default_home() -> Path:
    """The user data directory: ``ASSISTANT_HOME`` or the platform's default."""
    env = os.environ.get("ASSISTANT_HOME")
    if env:
        return _expand(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_settings(home: Path | str | None = None, **overrides: Any) -> Settings:
    """Read the settings for ``home`` (default: :func:`default_home`).

    Raises:
        ConfigError: the config file is not valid TOML or a value is invalid.
    """
    root = _expand(home) if home is not None else default_home()
    path = root / CONFIG_FILE
    token = _config_file.set(path)
    try:
        return Settings(home=root, **overrides)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}. Fix or remove it."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text. Save it as UTF-8.") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from exc
    except SettingsError as exc:
        raise ConfigError(f"Invalid setting in the environment: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(
            f"Invalid setting ({problems}). Check {path} and ASSISTANT_* variables."
        ) from exc
    finally:
        _config_file.reset(token)


def _expand(path: Path | str) -> Path:
    text = str(path)
    if "\x00" in text:
        raise ConfigError(f"The path {text!r} contains a NUL character.")
    try:
        return Path(text).expanduser()
    except RuntimeError as exc:  # "~someone" for a user that does not exist
        raise ConfigError(f"Cannot expand the path {text!r}: {exc}") from exc
