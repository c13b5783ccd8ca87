"""Which skill answers which intent: built-in skills plus entry-point plug-ins."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points

from assistant.skills.base import Skill, SkillEnv

__all__ = ["ENTRY_POINT_GROUP", "SkillRegistry", "discover_plugins"]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "assistant.skills"

SkillFactory = Callable[[SkillEnv], Skill]


class SkillRegistry:
    """Maps intents to skills; a skill registered later wins an intent."""

    def __init__(self) -> None:
        self._skills: dict[str, Skill] = {}
        self._by_intent: dict[str, Skill] = {}

    def register(self, skill: Skill) -> None:
        self._skills[skill.name] = skill
        for intent in skill.intents:
            previous = self._by_intent.get(intent)
            if previous is not None and previous.name != skill.name:
                logger.debug(
                    "Intent %s moves from %s to %s", intent, previous.name, skill.name
                )
            self._by_intent[intent] = skill

    def for_intent(self, intent: str) -> Skill | None:
        return self._by_intent.get(intent)

    def get(self, name: str) -> Skill | None:
        return self._skills.get(name)

    @property
    def skills(self) -> list[Skill]:
        return list(self._skills.values())


def discover_plugins(env: SkillEnv) -> tuple[list[Skill], list[str]]:
    """Construct the skills that installed packages expose in ``assistant.skills``.

    Returns:
        The skills, and one message per plug-in that failed to load.
    """
    skills: list[Skill] = []
    problems: list[str] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            factory: SkillFactory = entry.load()
            skills.append(factory(env))
        except Exception as exc:  # a broken plug-in must not stop the assistant
            problems.append(f"The skill plug-in '{entry.name}' failed to load: {exc}")
            logger.warning("Skill plug-in %s failed to load", entry.name, exc_info=True)
    return skills, problems


def build_registry(skills: Iterable[Skill]) -> SkillRegistry:
    registry = SkillRegistry()
    for skill in skills:
        registry.register(skill)
    return registry
