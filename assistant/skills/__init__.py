"""Skills: the things the assistant can do, each reached through intents."""

from __future__ import annotations

from assistant.skills.base import (
    Conversation,
    Feedback,
    ParsedTurn,
    PendingQuestion,
    Skill,
    SkillEnv,
    SkillReply,
)
from assistant.skills.registry import ENTRY_POINT_GROUP, SkillRegistry

__all__ = [
    "ENTRY_POINT_GROUP",
    "Conversation",
    "Feedback",
    "ParsedTurn",
    "PendingQuestion",
    "Skill",
    "SkillEnv",
    "SkillRegistry",
    "SkillReply",
    "builtin_skills",
]


def builtin_skills(env: SkillEnv) -> list[Skill]:
    """The skills shipped with the assistant."""
    from assistant.skills.chitchat import ChitchatSkill, HelpSkill
    from assistant.skills.clock import ClockSkill
    from assistant.skills.dialog import DialogSkill
    from assistant.skills.fallback import FallbackSkill, FixedReplySkill
    from assistant.skills.knowledge import AnswerSkill, KnowledgeService, SearchSkill
    from assistant.skills.recommend import RecommendSkill
    from assistant.skills.reminders import ReminderSkill

    knowledge = KnowledgeService(env)

    return [
        FixedReplySkill(env),
        FallbackSkill(env),
        ChitchatSkill(env),
        HelpSkill(env),
        DialogSkill(env),
        ClockSkill(env),
        ReminderSkill(env),
        RecommendSkill(env),
        SearchSkill(env, knowledge),
        AnswerSkill(env, knowledge),
    ]
