"""Errors of speech input, all under :class:`~assistant.errors.AssistantError`::

AssistantError
├── InputError
│   └── AudioError          a file that is not usable audio (corrupt, empty,
│                           too long, not audio at all, missing)
├── ModelError
│   └── SpeechModelError    Whisper or its weights cannot be loaded
└── MicrophoneError         no input device, or it cannot be opened
"""

from __future__ import annotations

from assistant.errors import AssistantError, InputError, ModelError

__all__ = ["AudioError", "MicrophoneError", "SpeechModelError"]


class AudioError(InputError):
    """The audio cannot be used: missing, empty, corrupt, too long or not audio."""

    def __init__(self, message: str, *, reason: str = "bad_audio", **details: object):
        super().__init__(message, reason=reason, **details)


class SpeechModelError(ModelError):
    """The speech-to-text model or its weights cannot be loaded."""


class MicrophoneError(AssistantError):
    """There is no microphone to record from, or it cannot be opened."""
