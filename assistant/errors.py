"""Errors the assistant raises.

Every error derives from one base, so a caller can catch them all::

    AssistantError            anything the assistant reports on purpose
    ├── ConfigError           the config file or an environment variable is invalid
    ├── InputError            text that cannot be processed (empty, too long, binary)
    ├── StorageError          the database cannot be opened or written
    └── ModelError            the intent model cannot be loaded or trained

Messages say what went wrong and what to do about it. Only the edges (the CLI,
the chat UI) turn these errors into text for the user.
"""

from __future__ import annotations

__all__ = [
    "AssistantError",
    "ConfigError",
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


class ModelError(AssistantError):
    """The intent model or its weights cannot be loaded or trained."""
