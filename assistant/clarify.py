"""Asking which of two intents was meant, and reading the answer."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from assistant.intents.model import Decision
from assistant.skills.base import PendingQuestion

__all__ = ["OWNER", "choose", "question"]

OWNER = "clarify"

_FIRST = re.compile(r"\b(first|former|1st|1|option a)\b")
_SECOND = re.compile(r"\b(second|latter|2nd|2|other|option b)\b")


def question(
    text: str, decision: Decision, descriptions: tuple[str, str]
) -> PendingQuestion:
    """The pending question for a turn whose top two intents were too close."""
    first, second = descriptions
    return PendingQuestion(
        owner=OWNER,
        prompt=f"{first} or {second}",
        payload={
            "text": text,
            "options": [decision.intent, decision.runner_up],
            "descriptions": [first, second],
        },
    )


def choose(
    pending: PendingQuestion, answer: str, answer_decision: Decision
) -> str | None:
    """The intent the answer picks, or ``None`` when it picks neither.

    An answer picks an option by naming it ("the first", "the second"), by
    being classified as it, by resembling its description ("set a reminder"),
    or by a plain yes, which takes the first.
    """
    options: list[str] = pending.payload["options"]
    descriptions: list[str] = pending.payload["descriptions"]
    lowered = answer.lower()
    if answer_decision.kind == "accept" and answer_decision.intent in options:
        return answer_decision.intent

    scores = [fuzz.token_set_ratio(lowered, d.lower()) for d in descriptions]
    best = max(range(len(options)), key=lambda i: scores[i])
    if scores[best] >= 70 and scores[best] > scores[1 - best]:
        return options[best]
    if _FIRST.search(lowered) and not _SECOND.search(lowered):
        return options[0]
    if _SECOND.search(lowered) and not _FIRST.search(lowered):
        return options[1]
    if answer_decision.kind == "accept" and answer_decision.intent == "dialog.affirm":
        return options[0]
    return None
