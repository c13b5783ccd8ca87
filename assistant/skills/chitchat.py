"""Greetings, goodbyes, thanks, and help on what the assistant can do."""

from __future__ import annotations

from assistant.skills.base import Conversation, ParsedTurn, Skill, SkillReply

__all__ = ["ChitchatSkill", "HelpSkill"]


class ChitchatSkill(Skill):
    """Answers bare conversational turns."""

    name = "chitchat"
    intents = ("chitchat.greet", "chitchat.goodbye", "chitchat.thanks")

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        key = turn.intent.replace(".", "_")
        return SkillReply(self.env.phrases.say(key))


class HelpSkill(Skill):
    """Says what the assistant can do, from the skills that are installed."""

    name = "help"
    intents = ("assistant.help",)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        lines = self.env.abilities
        text = self.env.phrases.say(
            "help", abilities="\n".join(f"- {line}" for line in lines)
        )
        return SkillReply(text, {"abilities": lines})
