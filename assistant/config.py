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

__all__ = [
    "IntentSettings",
    "KnowledgeSettings",
    "Settings",
    "VoiceSettings",
    "default_home",
    "load_settings",
]

APP_NAME = "assistant"
CONFIG_FILE = "config.toml"

_config_file: ContextVar[Path | None] = ContextVar("_config_file", default=None)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


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


class KnowledgeSettings(_Section):
    """Search over the user's documents and answers with sources."""

    passage_words: int = Field(default=200, ge=20, le=2000)
    """Paragraphs are joined or cut into passages of about this many words."""
    max_file_mb: float = Field(default=20.0, gt=0.0)
    """Larger files are skipped (and named in the index report)."""
    fusion: Literal["rrf", "weighted"] = "weighted"
    """How dense and keyword results are combined."""
    rrf_k: float = Field(default=60.0, gt=0.0)
    dense_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    """The dense share of the score in ``weighted`` fusion."""
    heading_weight: float = Field(default=1.0, ge=0.0)
    """BM25 weight of a passage's heading relative to its text."""
    search_results: int = Field(default=3, ge=1, le=20)
    answer_passages: int = Field(default=8, ge=1, le=50)
    """How many passages are read for a sentence that answers."""
    sentence_weight: float = Field(default=1.0, ge=0.0)
    overlap_weight: float = Field(default=0.5, ge=0.0)
    passage_weight: float = Field(default=0.5, ge=0.0)
    """A sentence scores its cosine to the question, plus ``overlap_weight``
    times the share of the question's words it holds, plus ``passage_weight``
    times its passage's search score relative to the best passage's (weights
    chosen on SQuAD, ``benchmarks/qa_squad.py``)."""
    answer_threshold: float = 1.1
    """Below this sentence score the answer is "I don't know": on SQuAD it
    keeps 99 % of the right answers and refuses 88 % of unrelated questions."""
    feedback_similarity: float = Field(default=0.8, ge=0.0, le=1.0)
    """Ratings count for questions at least this similar (cosine)."""
    feedback_weight: float = Field(default=1.0, ge=0.0)
    """How far a liked answer moves up (times the questions' similarity)."""
    builtin_help: bool = True
    """Index the assistant's own help pages on first use."""
    rescue_threshold: float | None = 1.2
    """A question the intent model declines as out of scope is still answered
    from the user's own documents (not the help pages) when a sentence scores
    at least this; on SQuAD 1.2 keeps 96 % of the right answers and refuses
    95 % of unrelated questions. ``None`` turns this off."""


class ConversationSettings(_Section):
    """Limits of a conversation."""

    max_chars: int = Field(default=2000, ge=1)
    """Longer messages are refused with a clear message, not truncated."""
    context_turns: int = Field(default=10, ge=1)
    """How many past turns per user are kept in memory."""
    timezone: str | None = None
    """IANA zone such as ``Europe/Paris``; default: the system's zone."""


class UISettings(_Section):
    """The chat window (``assistant chat``)."""

    theme: str = "auto"
    """``auto`` follows the terminal; ``light``, ``dark`` or a Textual theme name."""


class ReminderSettings(_Section):
    """How reminders are delivered."""

    poll_seconds: float = Field(default=1.0, gt=0.0, le=60.0)
    """How often the background thread looks for due reminders."""
    late_after_seconds: int = Field(default=60, ge=0)
    """A reminder delivered more than this after its time is marked late."""
    max_years: int = Field(default=10, ge=1, le=100)
    """Reminders further ahead than this are refused."""


class VoiceSettings(_Section):
    """Speech input: the Whisper backend, its weights and the guards around it."""

    backend: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    """faster-whisper (CTranslate2, int8 on a CPU) or openai-whisper (PyTorch)."""
    model: str | None = None
    """A CTranslate2 Whisper folder, or a hub name such as ``base.en`` (downloads:
    only on a machine with internet); default: the packaged tiny.en."""
    multilingual: bool = False
    """Use the packaged multilingual Whisper base instead of tiny.en."""
    language: str | None = "en"
    """Spoken language (ISO code); ``None`` detects it (multilingual models only)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where Whisper runs; ``auto`` takes CUDA when present."""
    compute_type: str = "default"
    """CTranslate2 compute type; ``default`` is int8 on a CPU, float16 on CUDA."""
    threads: int = Field(default=0, ge=0)
    """CPU threads for Whisper; 0 uses every core."""
    beam_size: int = Field(default=1, ge=1, le=10)
    """1 decodes greedily (fastest); 5 is Whisper's own default."""
    vad_threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    """Silero speech probability above which a 32 ms frame counts as speech."""
    min_speech_ms: int = Field(default=150, ge=0)
    """Speech shorter than this is ignored as a click or a cough."""
    min_silence_ms: int = Field(default=500, ge=100)
    """The microphone ends an utterance after this much silence."""
    no_speech_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    """A segment more likely silence than this (and unsure) is dropped."""
    logprob_threshold: float = Field(default=-1.0, le=0.0)
    """...when its average token log-probability is also below this."""
    compression_ratio_threshold: float = Field(default=2.4, gt=1.0)
    """A segment more repetitive than this is a hallucination and dropped."""
    confirm_below: float = Field(default=0.38, ge=0.0, le=1.0)
    """Ask "Did you say ...?" when the transcript's confidence is below this."""
    max_seconds: float = Field(default=120.0, gt=0.0, le=3600.0)
    """Longer audio files are refused."""
    max_utterance_seconds: float = Field(default=15.0, gt=0.0, le=120.0)
    """The microphone cuts an utterance that goes on longer than this."""
    input_device: int | str | None = None
    """Microphone: a PortAudio device index or name; default: the system's."""


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
    ui: UISettings = UISettings()
    reminders: ReminderSettings = ReminderSettings()
    voice: VoiceSettings = VoiceSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
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
    if home is not None and not str(home).strip():
        raise ConfigError("The home folder is an empty path; name a folder.")
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
