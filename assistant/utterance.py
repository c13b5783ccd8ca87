"""Cleaning what the user typed or said before it is classified."""

from __future__ import annotations

import re
import unicodedata

from assistant.errors import InputError

__all__ = ["clean_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def clean_text(text: str | bytes, *, max_chars: int) -> str:
    """Normalise a message: decode bytes, drop control characters, squeeze spaces.

    Raises:
        InputError: the message is empty once cleaned, or longer than ``max_chars``.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if len(text) > max_chars:
        raise InputError(
            f"The message is {len(text):,} characters long; "
            f"the limit is {max_chars:,}.",
            reason="too_long",
            length=len(text),
            limit=max_chars,
        )
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    text = " ".join(text.split())
    if not text:
        raise InputError("The message was empty.", reason="empty_input")
    return text
