"""A custom skill in 30 lines: a coin flip, added to a running assistant.

A packaged skill would be published through the ``assistant.skills`` entry
point instead (see the README); this example registers it by hand. The coin
flip takes over ``chitchat.greet`` only to keep the example short: a real
skill would bring its own intent in ``<home>/intents/*.yml``.

    python examples/custom_skill.py
"""

from __future__ import annotations

import random

from assistant import Assistant
from assistant.skills import Conversation, ParsedTurn, Skill, SkillReply


class CoinSkill(Skill):
    name = "coin"
    intents = ("chitchat.greet",)
    summary = "flip a coin when you say hello"

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        side = random.choice(["heads", "tails"])
        return SkillReply(
            f"Hello {turn.user}! I flipped a coin: {side}.", {"side": side}
        )


with Assistant() as bot:
    bot.skills.register(CoinSkill(bot.skill_env))
    print(bot.respond("hi there", user="sam").text)
    print(bot.respond("what time is it", user="sam").text)
