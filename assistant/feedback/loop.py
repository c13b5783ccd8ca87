"""The feedback loop as the assistant uses it: classify, learn, forget, count."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from assistant.config import Settings
from assistant.errors import StorageError
from assistant.feedback import records
from assistant.feedback.learner import Learner
from assistant.feedback.memory import Memory, learned_examples
from assistant.feedback.verdicts import spoken_verdict
from assistant.intents.classifier import IntentClassifier
from assistant.intents.model import Decision, Prediction, decide
from assistant.skills.base import Skill
from assistant.storage import Database

__all__ = ["FeedbackLoop"]

logger = logging.getLogger(__name__)

# Never replaced by a clarifying question, whatever the feedback said.
_ALWAYS_TRUSTED = frozenset(
    {"out_of_scope", "dialog.affirm", "dialog.deny", "dialog.cancel"}
)
MEMORY_SUFFIX = "+memory"
"""Appended to the model version of a turn the correction memory decided."""


class FeedbackLoop:
    """Applies feedback to classification and keeps what was learned per user.

    Args:
        settings: the ``feedback`` section and where learned layers live.
        database: turns and feedback.
        classifier: the shipped intent model.
    """

    def __init__(
        self, settings: Settings, database: Database, classifier: IntentClassifier
    ) -> None:
        self.settings = settings
        self.database = database
        self.classifier = classifier
        self.memory = Memory(database, settings.feedback)
        self.learner = Learner(settings, classifier, self.examples)

    def examples(self, user: str | None) -> list[tuple[str, str]]:
        """The (text, intent) pairs learned from ``user`` (``None``: everyone)."""
        return learned_examples(self.database, user)

    def classify(self, text: str, user: str) -> tuple[Prediction, Decision, str]:
        """Classify ``text`` for ``user``: corrections first, then their model.

        Returns:
            The prediction, the decision taken, and the model version that made it.
        """
        verdict = spoken_verdict(text)
        if verdict is not None:
            model = self.classifier.model
            return Prediction(((verdict, 1.0),)), _sure(verdict), model.version
        return self.revise(text, user, *self.predict(text, user))

    def predict(self, text: str, user: str) -> tuple[Prediction, Decision, str]:
        """What ``user``'s model (their own layer, or the shipped one) makes of
        ``text``, before their corrections are applied."""
        personal = self.learner.predict(text, user)
        if personal is None:
            prediction, decision = self.classifier.classify(text)
            return prediction, decision, self.classifier.model.version
        prediction, version = personal
        return prediction, self.decide(prediction), version

    def decide(self, prediction: Prediction) -> Decision:
        """The decision the configured threshold and margin take on ``prediction``."""
        intents = self.settings.intents
        return decide(
            prediction, threshold=intents.threshold, margin=intents.clarify_margin
        )

    def revise(
        self,
        text: str,
        user: str,
        prediction: Prediction,
        decision: Decision,
        version: str,
    ) -> tuple[Prediction, Decision, str]:
        """Apply ``user``'s corrections, then their distrust, to a model's verdict."""
        remembered = self.memory.recall(user, text)
        if remembered is not None and remembered in self.classifier.data.intents:
            logger.debug("Correction memory: %r is %s for %s", text, remembered, user)
            rest = tuple(item for item in prediction.ranked if item[0] != remembered)
            prediction = Prediction(((remembered, 1.0), *rest))
            decision = _sure(remembered, *(rest[0] if rest else ()))
            return prediction, decision, version + MEMORY_SUFFIX
        if (
            decision.kind == "accept"
            and decision.intent not in _ALWAYS_TRUSTED
            and not decision.intent.startswith("feedback.")
            and self.memory.distrusts(user, text, decision.intent)
        ):
            decision = _ask_instead(prediction, decision)
        return prediction, decision, version

    def on_feedback(self, user: str, *, corrected: bool) -> None:
        """Take new feedback from ``user`` into account: now, and in the background."""
        self.memory.invalidate(user)
        if corrected and self.settings.feedback.retrain:
            self.learner.schedule(user)

    def forget(self, user: str, skills: Iterable[Skill]) -> dict[str, int]:
        """Delete every turn and piece of feedback of ``user`` and what was learned.

        Deleted rows are overwritten in the file (``secure_delete``) and the
        write-ahead log is emptied, so no copy stays on disk.

        Returns:
            How many turns and feedback rows were deleted.
        """
        self.database.query("PRAGMA secure_delete = ON")
        with self.database.transaction() as conn:
            feedback = conn.execute(
                "DELETE FROM feedback WHERE turn_id IN"
                " (SELECT id FROM turns WHERE user = ?)",
                (user,),
            ).rowcount
            turns = conn.execute("DELETE FROM turns WHERE user = ?", (user,)).rowcount
        failed = []
        for skill in skills:
            try:
                skill.forget(user)
            except Exception as exc:  # the other skills must still forget
                logger.exception("Skill %s failed to forget %s", skill.name, user)
                failed.append(f"{skill.name} ({exc})")
        self.memory.invalidate(user)
        self.learner.drop(user)
        self.database.query("PRAGMA wal_checkpoint(TRUNCATE)")
        logger.info("Forgot %s: %d turns, %d feedback rows", user, turns, feedback)
        if failed:
            raise StorageError(
                f"The turns and feedback of {user!r} are deleted, but these skills "
                f"could not delete their data: {', '.join(failed)}. "
                "Run forget again; see the log for details."
            )
        return {"turns": turns, "feedback": feedback}

    def export_lines(self, user: str | None = None) -> Iterator[str]:
        """The feedback (with its turns) as JSON lines; see :mod:`.records`."""
        return records.export_lines(self.database, user)

    def import_lines(self, lines: Iterable[str]) -> records.ImportResult:
        """Add exported feedback; the users it corrects get their layers retrained
        when next classified.

        Raises:
            InputError: a line is invalid; nothing was imported.
        """
        result = records.import_lines(
            self.database, lines, self.classifier.data.intents
        )
        for user in result.users:
            self.memory.invalidate(user)
            self.learner.refresh(user)
        return result

    def stats(self, user: str | None = None) -> dict[str, Any]:
        """Turns, intents, feedback and an accuracy estimate from the feedback."""
        from assistant.feedback.report import gather

        return gather(self.database, user)

    def close(self) -> None:
        self.learner.close()


def _sure(intent: str, second: str = "", second_confidence: float = 0.0) -> Decision:
    return Decision("accept", intent, 1.0, second, second_confidence)


def _ask_instead(prediction: Prediction, decision: Decision) -> Decision:
    """A clarifying question between the intent and the best other candidate."""
    for other, confidence in prediction.ranked[1:]:
        if other not in _ALWAYS_TRUSTED and not other.startswith("feedback."):
            logger.debug("Distrusted %s here: asking about %s", decision.intent, other)
            return Decision(
                "clarify", decision.intent, decision.confidence, other, confidence
            )
    return decision
