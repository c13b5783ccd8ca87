"""Replies for turns no real skill answers: out of scope, or a fixed reply."""

from __future__ import annotations

from assistant.intents.dataset import OUT_OF_SCOPE
from assistant.skills.base import Conversation, ParsedTurn, Skill, SkillEnv, SkillReply

__all__ = ["FallbackSkill", "FixedReplySkill"]


class FallbackSkill(Skill):
    """Declines out-of-scope requests and says what the assistant can do."""

    name = "fallback"
    intents = (OUT_OF_SCOPE,)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        abilities = "; ".join(self.env.abilities[:4]) or "chat"
        return SkillReply(self.env.phrases.say("out_of_scope", abilities=abilities))


class FixedReplySkill(Skill):
    """Answers intents that a user's intent file gives a fixed ``reply``."""

    name = "fixed_reply"

    def __init__(self, env: SkillEnv) -> None:
        super().__init__(env)
        self.intents = tuple(n for n, spec in env.intents.intents.items() if spec.reply)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        reply = self.env.intents.intents[turn.intent].reply or ""
        return SkillReply(reply)
