"""Feedback said in words, recognised by its fixed wording before classification.

"No, I meant set a reminder" has a rigid shape that a pattern reads more
reliably than the intent model (which would see "set a reminder" and act on
it). A bare "that's wrong" is left to the model (``dialog.deny``); the
feedback skill reads it as a verdict when no question is waiting.
"""

from __future__ import annotations

import re

__all__ = ["CORRECT", "NEGATIVE", "POSITIVE", "meant_request", "spoken_verdict"]

CORRECT = "feedback.correct"
NEGATIVE = "feedback.negative"
POSITIVE = "feedback.positive"

_LEAD = r"^\W*(?:(?:no+|nope|nah|wrong|sorry|oops|actually|not\s+that)\b[\s,.;:!-]*)*"
_CUE = (
    r"(?:i\s+(?:meant|mean|wanted|was\s+asking|was\s+trying|intended)"
    r"|that\s+(?:should\s+have\s+been|was\s+(?:supposed|meant)\s+to\s+be)"
    r"|you\s+should\s+have|correction:?)\b"
)
_FILLER = r"[\s,:]*(?:(?:you\s+)?to\s+|for\s+|it\s+as\s+|as\s+)?(?:say\s+|ask\s+)?"
_CORRECTION = re.compile(_LEAD + _CUE + _FILLER, re.IGNORECASE)
_MEANT_AFTER_NO = re.compile(
    r"^\W*(?:no+|nope|nah|wrong|sorry|oops|actually|not\s+that)\b", re.IGNORECASE
)
_NEGATIVE = re.compile(
    r"^\W*(?:that\s+(?:was|is)\s+(?:a\s+)?)?(?:bad|terrible|useless|unhelpful)\s+"
    r"(?:answer|reply|response)\W*$|^\W*that\s+(?:didn'?t|did\s+not)\s+help\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"^\W*(?:that\s+(?:was|is)\s+(?:a|the\s+)?\s*)?(?:good|great|right|correct|"
    r"perfect|nice|helpful|excellent)\s+(?:answer|reply|response)\W*$",
    re.IGNORECASE,
)


def spoken_verdict(text: str) -> str | None:
    """``feedback.correct``, ``.negative`` or ``.positive`` when ``text`` is
    feedback in one of the fixed shapes, else ``None``."""
    match = _CORRECTION.match(text)
    if match is not None and (
        _MEANT_AFTER_NO.match(text) or re.match(r"^\W*i\s+meant\b", text, re.I)
    ):
        return CORRECT
    if _NEGATIVE.match(text):
        return NEGATIVE
    if _POSITIVE.match(text):
        return POSITIVE
    return None


def meant_request(text: str) -> str | None:
    """What follows "I meant" in a correction ("set a reminder"), if anything."""
    match = _CORRECTION.match(text)
    if match is None:
        return None
    request = text[match.end() :].strip(" .!?,;:")
    return request or None
