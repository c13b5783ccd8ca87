"""Errors the assistant raises.

Every error derives from one base, so a caller can catch them all::

    AssistantError            anything the assistant reports on purpose
    ├── ConfigError           the config file or an environment variable is invalid
    ├── InputError            text that cannot be processed (empty, too long, binary)
    ├── StorageError          the database cannot be opened or written
    │   └── CorruptDatabaseError  the database file is damaged; it was moved aside
    └── ModelError            the intent model cannot be loaded or trained

Messages say what went wrong and what to do about it. Only the edges (the CLI,
the chat UI) turn these errors into text for the user.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AssistantError",
    "ConfigError",
    "CorruptDatabaseError",
    "InputError",
    "ModelError",
    "StorageError",
]


class AssistantError(Exception):
    """Base class of every error the assistant raises on purpose."""


class ConfigError(AssistantError):
    """The configuration is invalid."""


class InputError(AssistantError):
    """The user's input cannot be processed.

    Attributes:
        reason: a short key (``empty_input``, ``too_long``...) for phrase lookup.
        details: values that go with the reason.
    """

    def __init__(
        self, message: str, *, reason: str = "invalid_input", **details: object
    ):
        super().__init__(message)
        self.reason = reason
        self.details = details


class StorageError(AssistantError):
    """The database cannot be opened or written."""


class CorruptDatabaseError(StorageError):
    """The database was damaged and has been moved aside."""

    def __init__(self, original: Path, moved_to: Path) -> None:
        super().__init__(
            f"The database {original} was damaged; it was moved to {moved_to} "
            "and a new, empty one was started. Nothing was deleted."
        )
        self.original = original
        self.moved_to = moved_to


class ModelError(AssistantError):
    """The intent model or its weights cannot be loaded or trained."""
