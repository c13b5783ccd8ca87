"""The skill interface: what a skill is given and what it gives back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from assistant.events import EventBus

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.intents.dataset import IntentData
    from assistant.phrases import Phrases
    from assistant.storage import Database

__all__ = [
    "Conversation",
    "Feedback",
    "ParsedTurn",
    "PendingQuestion",
    "Skill",
    "SkillEnv",
    "SkillReply",
]


@dataclass(frozen=True, slots=True)
class ParsedTurn:
    """A user's turn after classification."""

    text: str
    user: str
    intent: str
    confidence: float
    now: datetime
    """The current time, timezone-aware, in the user's zone."""


@dataclass(frozen=True, slots=True)
class SkillReply:
    """What a skill answers: text for the user and JSON-serialisable data."""

    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Feedback:
    """Feedback on one logged turn, passed to the skill that answered it."""

    feedback_id: int
    turn_id: int
    user: str
    text: str
    """What the user said in that turn."""
    intent: str | None
    data: dict[str, Any]
    """The ``data`` of the reply being rated (ids of what was shown...)."""
    rating: int | None
    correct_intent: str | None
    comment: str | None


@dataclass(slots=True)
class PendingQuestion:
    """A question the assistant asked and expects answered in the next turn.

    ``owner`` is the name of the skill that resumes with the answer (or
    ``"clarify"`` for a question between two intents); ``payload`` is the
    owner's own JSON-serialisable state.
    """

    owner: str
    prompt: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Conversation:
    """One user's recent turns and the question awaiting an answer, if any."""

    user: str
    history: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=10))
    pending: PendingQuestion | None = None

    def remember(self, text: str, reply: str) -> None:
        self.history.append((text, reply))


@dataclass(frozen=True, slots=True)
class SkillEnv:
    """What every skill may use: settings, the database, phrases, intents, events."""

    settings: Settings
    database: Database
    phrases: Phrases
    intents: IntentData
    events: EventBus = field(default_factory=EventBus)
    """Publish here what the user should hear about outside a turn."""
    abilities: list[str] = field(default_factory=list)
    """One line per installed capability, filled once all skills are registered."""


class Skill(ABC):
    """A capability of the assistant, reached through one or more intents.

    Subclasses set ``name``, ``intents`` and ``summary`` and implement
    :meth:`handle`. A skill that stores data creates its tables with
    ``env.database.migrate(name, MIGRATIONS)`` and its phrases ship in
    ``assistant/locale/<lang>/<skill>.yml`` (or ``env.phrases.add``). A
    third-party skill is a subclass exposed through the
    entry-point group ``assistant.skills``; it is constructed with a
    :class:`SkillEnv`.
    """

    name: ClassVar[str]
    intents: tuple[str, ...] = ()
    summary: ClassVar[str] = ""
    """One line for the help text, e.g. "tell the time anywhere"."""

    def __init__(self, env: SkillEnv) -> None:
        self.env = env

    @abstractmethod
    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        """Answer a turn whose intent is one of :attr:`intents`."""

    def resume(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply | None:
        """Take the answer to a question this skill asked (``Conversation.pending``).

        Return ``None`` when the turn is not an answer; the assistant then drops
        the question and handles the turn as a new request.
        """
        return None

    def possible(self, intent: str, user: str) -> bool:
        """Whether ``intent`` can be acted on for ``user`` now (``False`` for
        "snooze" when nothing has gone off): between two close intents, one
        that cannot is set aside instead of asked about."""
        return True

    def rescue(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply | None:
        """Take a message the intent model declined as out of scope, when this
        skill can show it is meant for it (``None``: leave it declined)."""
        return None

    def on_feedback(self, feedback: Feedback) -> None:
        """React at once to feedback on a turn this skill answered."""
        return None

    def forget(self, user: str) -> None:
        """Delete everything this skill stores about ``user`` (for ``forget``)."""
        return None

    def close(self) -> None:
        """Stop background work and release resources; called once, at shutdown."""
        return None
