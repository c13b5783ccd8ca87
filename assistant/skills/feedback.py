"""Feedback said in the conversation: "no, I meant ...", "that's wrong", "good answer".

A correction applies to the user's previous turn: it is stored as feedback on
that turn (so the skill that answered it hears of it, and the intent is
learned), then that turn's text is answered again as the intent meant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from assistant.feedback.loop import FeedbackLoop
from assistant.feedback.verdicts import CORRECT, NEGATIVE, POSITIVE, meant_request
from assistant.skills.base import (
    Conversation,
    ParsedTurn,
    PendingQuestion,
    Skill,
    SkillEnv,
    SkillReply,
)

__all__ = ["FeedbackSkill"]

Record = Callable[..., int]
Dispatch = Callable[
    [str, str, str, datetime, float, Conversation], tuple[str, str, SkillReply]
]

# A bare "no" is an answer; "that's wrong" is a verdict on the last reply.
_VERDICT = re.compile(
    r"\b(?:wrong|incorrect|misunderstood|misheard|mistaken|false"
    r"|not\s+(?:right|correct|true|it|what\s+i))\b",
    re.IGNORECASE,
)
_NOT_MEANT = ("feedback.", "dialog.")
_DESCRIPTION_MATCH = 80.0


@dataclass(frozen=True, slots=True)
class _Target:
    turn_id: int
    text: str
    intent: str | None


class FeedbackSkill(Skill):
    """Turns what the user says about the last reply into feedback on it.

    Args:
        env: what every skill gets.
        loop: the feedback loop (to read the meant intent with the user's model).
        record: stores feedback on a turn (``Assistant.feedback``).
        dispatch: answers a text as a given intent (the assistant's router).
    """

    name = "feedback"
    intents = (CORRECT, NEGATIVE, POSITIVE, "dialog.deny")
    summary = ""

    def __init__(
        self, env: SkillEnv, loop: FeedbackLoop, *, record: Record, dispatch: Dispatch
    ) -> None:
        super().__init__(env)
        self.loop = loop
        self._record = record
        self._dispatch = dispatch
        self._asked: dict[str, _Target] = {}
        """The turn each user was asked about ("what did you mean?")."""

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        say = self.env.phrases.say
        if turn.intent == "dialog.deny" and not _VERDICT.search(turn.text):
            return SkillReply(say("nothing_to_confirm"))
        target = self._target(turn.user)
        if target is None:
            return SkillReply(say("feedback_nothing"))

        if turn.intent == POSITIVE:
            self._record(target.turn_id, rating=1)
            return SkillReply(
                say("feedback_thanks"), {"target": target.turn_id, "rating": 1}
            )
        data: dict[str, Any] = {"target": target.turn_id}
        if turn.intent == CORRECT:
            meant = self._meant(turn.text, turn.user)
            if meant is not None:
                return self._correct(target, meant, turn, conversation)
        else:
            self._record(target.turn_id, rating=-1)
            data["rating"] = -1
        prompt = say("feedback_what_meant")
        self._asked[turn.user] = target
        conversation.pending = PendingQuestion(
            self.name, prompt, {"target": target.turn_id}
        )
        return SkillReply(prompt, data)

    def resume(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply | None:
        """Take the answer to "what did you mean?" as the correction."""
        target = self._asked.pop(turn.user, None)
        meant = self._meant(turn.text, turn.user, whole=True)
        if target is None or meant is None:
            return None
        return self._correct(target, meant, turn, conversation)

    def forget(self, user: str) -> None:
        self._asked.pop(user, None)

    def _correct(
        self, target: _Target, meant: str, turn: ParsedTurn, conversation: Conversation
    ) -> SkillReply:
        """Store the correction, then answer the corrected turn as meant."""
        self._record(target.turn_id, correct_intent=meant)
        skill, _, reply = self._dispatch(
            meant, target.text, turn.user, turn.now, 1.0, conversation
        )
        meaning = self.env.intents.describe(meant)
        text = self.env.phrases.say(
            "feedback_corrected", text=target.text, meaning=meaning
        )
        data = {
            "target": target.turn_id,
            "correct_intent": meant,
            "answered_by": skill,
            "answer": reply.data,
        }
        return SkillReply(f"{text}\n{reply.text}", data)

    def _target(self, user: str) -> _Target | None:
        """The user's last turn, or the turn their last feedback turn was about."""
        rows = self.env.database.query(
            "SELECT id, text, intent, skill, data FROM turns WHERE user = ?"
            " AND COALESCE(skill, '') != 'input' ORDER BY id DESC LIMIT 1",
            (user,),
        )
        if not rows:
            return None
        row = rows[0]
        if row["skill"] != self.name:
            return _Target(row["id"], row["text"], row["intent"])
        earlier = json.loads(row["data"] or "{}").get("target")
        if not isinstance(earlier, int):
            return None
        rows = self.env.database.query(
            "SELECT id, text, intent FROM turns WHERE id = ? AND user = ?",
            (earlier, user),
        )
        return (
            _Target(rows[0]["id"], rows[0]["text"], rows[0]["intent"]) if rows else None
        )

    def _meant(self, text: str, user: str, *, whole: bool = False) -> str | None:
        """The intent named after "I meant ..." (or the whole answer when ``whole``)."""
        request = text.strip(" .!?,") if whole else meant_request(text)
        if not request:
            return None

        (best, name), (second, _) = sorted(
            (
                (fuzz.token_set_ratio(request.lower(), spec.description.lower()), name)
                for name, spec in self.env.intents.intents.items()
                if not name.startswith(_NOT_MEANT)
            ),
            reverse=True,
        )[:2]
        if best >= _DESCRIPTION_MATCH and best > second:
            return name
        _, decision, _ = self.loop.predict(request, user)
        if decision.kind == "accept" and not decision.intent.startswith(_NOT_MEANT):
            return decision.intent
        return None
