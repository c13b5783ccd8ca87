"""The answer to one turn, as the library API returns it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Reply"]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant answered, and why.

    Attributes:
        text: the answer for the user.
        intent: the intent acted on; ``None`` when the input was rejected.
        confidence: the classifier's probability for ``intent`` (0 to 1).
        skill: the skill that answered.
        data: JSON-serialisable details from the skill.
        turn_id: the logged turn, for :meth:`Assistant.feedback`.
        user: whose conversation this was.
    """

    text: str
    intent: str | None
    confidence: float
    skill: str
    data: dict[str, Any] = field(default_factory=dict)
    turn_id: int = 0
    user: str = "default"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
