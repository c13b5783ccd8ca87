"""What a user corrected and distrusted, looked up before the classifier acts."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from assistant.config import FeedbackSettings
from assistant.storage import Database

__all__ = ["Memory", "learned_examples", "normalise"]

_NON_WORD = re.compile(r"[^\w']+")

_CORRECTIONS = """
    SELECT t.text, f.correct_intent FROM feedback f JOIN turns t ON t.id = f.turn_id
    WHERE f.correct_intent IS NOT NULL {where} ORDER BY f.id
"""
_DISTRUSTED = """
    SELECT t.text, t.intent FROM feedback f JOIN turns t ON t.id = f.turn_id
    WHERE t.user = ? AND f.rating = -1 AND f.correct_intent IS NULL
      AND t.intent IS NOT NULL AND t.confidence < ?
    ORDER BY f.id
"""


def normalise(text: str) -> str:
    """Fold case and forms, punctuation to spaces: ``"Hi, Bob!"`` -> ``"hi bob"``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def learned_examples(database: Database, user: str | None) -> list[tuple[str, str]]:
    """The (text, intent) pairs corrected by ``user`` (every user when ``None``).

    A sentence corrected twice keeps its latest correction only.
    """
    if user is None:
        rows = database.query(_CORRECTIONS.format(where=""))
    else:
        rows = database.query(_CORRECTIONS.format(where="AND t.user = ?"), (user,))
    latest = {normalise(row[0]): (row[0], row[1]) for row in rows}
    return list(latest.values())


@dataclass
class _Recall:
    corrections: dict[str, str] = field(default_factory=dict)
    distrusted: list[tuple[str, str]] = field(default_factory=list)


class Memory:
    """Per-user corrections and distrusted sentences, read from the feedback table.

    Kept in memory per user and reloaded after :meth:`invalidate`, which the
    feedback loop calls whenever that user's feedback changes.

    Args:
        database: where turns and feedback are.
        settings: the similarity thresholds.
    """

    def __init__(self, database: Database, settings: FeedbackSettings) -> None:
        self.database = database
        self.settings = settings
        self._users: dict[str, _Recall] = {}
        self._lock = threading.Lock()

    def recall(self, user: str, text: str) -> str | None:
        """The intent ``user`` corrected this sentence (or a near-identical one) to.

        Exact match of the normalised text first, then the closest corrected
        sentence whose rapidfuzz ``ratio`` reaches ``near_duplicate``.
        """
        corrections = self._recall(user).corrections
        key = normalise(text)
        if not corrections or not key:
            return None
        if key in corrections:
            return corrections[key]
        match = process.extractOne(
            key,
            corrections.keys(),
            scorer=fuzz.ratio,
            score_cutoff=self.settings.near_duplicate,
        )
        return None if match is None else corrections[match[0]]

    def distrusts(self, user: str, text: str, intent: str) -> bool:
        """Whether ``user`` downvoted ``intent``, given with low confidence, on a
        similar sentence."""
        key = normalise(text)
        return any(
            bad_intent == intent
            and fuzz.token_set_ratio(key, bad_text) >= self.settings.distrust_similarity
            for bad_text, bad_intent in self._recall(user).distrusted
        )

    def invalidate(self, user: str | None = None) -> None:
        """Forget the cached view of ``user`` (of everyone when ``None``)."""
        with self._lock:
            if user is None:
                self._users.clear()
            else:
                self._users.pop(user, None)

    def _recall(self, user: str) -> _Recall:
        with self._lock:
            cached = self._users.get(user)
        if cached is not None:
            return cached
        recall = _Recall()
        for text, intent in learned_examples(self.database, user):
            recall.corrections[normalise(text)] = intent
        rows = self.database.query(_DISTRUSTED, (user, self.settings.low_confidence))
        recall.distrusted = [(normalise(row[0]), row[1]) for row in rows]
        with self._lock:
            self._users[user] = recall
        return recall
