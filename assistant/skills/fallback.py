"""Replies for turns no real skill answers: out of scope, not installed, fixed."""

from __future__ import annotations

from assistant.intents.dataset import OUT_OF_SCOPE
from assistant.skills.base import Conversation, ParsedTurn, Skill, SkillEnv, SkillReply

__all__ = ["FallbackSkill", "FixedReplySkill", "NotInstalledSkill"]

# Intents of skills that ship separately, and how to name them to the user.
PLANNED = {
    "reminder.create": "Reminders",
    "reminder.list": "Reminders",
    "reminder.cancel": "Reminders",
    "recommend.get": "Recommendations",
    "recommend.feedback": "Recommendations",
}


class FallbackSkill(Skill):
    """Declines out-of-scope requests and says what the assistant can do."""

    name = "fallback"
    intents = (OUT_OF_SCOPE,)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        abilities = "; ".join(self.env.abilities[:4]) or "chat"
        return SkillReply(self.env.phrases.say("out_of_scope", abilities=abilities))


class NotInstalledSkill(Skill):
    """Stands in for skills that are not installed yet."""

    name = "not_installed"
    intents = tuple(PLANNED)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        feature = PLANNED.get(turn.intent, turn.intent)
        text = self.env.phrases.say("not_installed", feature=feature)
        return SkillReply(text, {"not_installed": feature})


class FixedReplySkill(Skill):
    """Answers intents that a user's intent file gives a fixed ``reply``."""

    name = "fixed_reply"

    def __init__(self, env: SkillEnv) -> None:
        super().__init__(env)
        self.intents = tuple(n for n, spec in env.intents.intents.items() if spec.reply)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        reply = self.env.intents.intents[turn.intent].reply or ""
        return SkillReply(reply)
