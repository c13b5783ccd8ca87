"""Yes, no and cancel when no question is waiting for them."""

from __future__ import annotations

from assistant.skills.base import Conversation, ParsedTurn, Skill, SkillReply

__all__ = ["DialogSkill"]


class DialogSkill(Skill):
    """Answers a bare yes / no / cancel; with a question pending, the asker gets it."""

    name = "dialog"
    intents = ("dialog.affirm", "dialog.deny", "dialog.cancel")

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        key = (
            "cancelled_nothing"
            if turn.intent == "dialog.cancel"
            else "nothing_to_confirm"
        )
        return SkillReply(self.env.phrases.say(key))
