"""Cleaning what the user typed or said before it is classified."""

from __future__ import annotations

import re
import unicodedata

from assistant.errors import InputError

__all__ = ["clean_text", "clean_user", "printable"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_REPLACEMENT = "\ufffd"
MAX_USER_CHARS = 200


def clean_text(text: object, *, max_chars: int) -> str:
    """Normalise a message: decode bytes, drop control characters, squeeze spaces.

    Invalid UTF-8 (in bytes, or smuggled into a string as lone surrogates) is
    replaced by U+FFFD; a message that is mostly such characters is binary data.

    Raises:
        InputError: the message is not text, is empty once cleaned, is binary,
            or is longer than ``max_chars``.
    """
    text = _as_text(text)
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
    undecodable = text.count(_REPLACEMENT)
    if (
        undecodable > max(2, len(text) // 10)
        or not text.replace(_REPLACEMENT, "").strip()
    ):
        raise InputError("The message looks like binary data.", reason="binary_input")
    return text


def clean_user(user: object) -> str | None:
    """A printable user name of at most 200 characters, or ``None`` for the default."""
    if user is None:
        return None
    try:
        name = _as_text(user)
    except InputError:
        name = str(user)
    name = " ".join(_CONTROL.sub(" ", name).split())
    return name[:MAX_USER_CHARS] or None


def printable(value: object) -> str:
    """``value`` as text that can be stored and shown whatever it holds: bad
    UTF-8 and lone surrogates become U+FFFD, a non-text value its ``repr``."""
    try:
        return _as_text(value)
    except InputError:
        return repr(value)


def _as_text(value: object) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if not isinstance(value, str):
        raise InputError(
            f"A message must be text, not {type(value).__name__}.",
            reason="invalid_input",
        )
    # Lone surrogates (undecodable bytes in argv, or bad input from a caller).
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
