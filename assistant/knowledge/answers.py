"""Answering a question with a sentence from the indexed passages.

The passages that match the question best (dense and keyword, fused) are cut
into sentences; each sentence is scored on its own similarity to the question,
the share of the question's words it holds, and its passage's rank. The
user's ratings of earlier answers to similar questions move sentences up or
down. Below a calibrated score the answer is "I don't know".
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.knowledge.chunking import split_sentences
from assistant.knowledge.library import Hit, KnowledgeBase
from assistant.knowledge.ranking import keyword_overlap, query_terms

__all__ = ["Answerer", "Candidate"]

logger = logging.getLogger(__name__)

DISLIKED = 10.0
"""How far a sentence the user rated down drops: below any other."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may answer the question."""

    sentence: str
    score: float
    hit: Hit
    """The passage the sentence comes from."""
    similarity: float
    overlap: float


class Answerer:
    """Ranks sentences of retrieved passages for a question.

    Args:
        base: the knowledge base to read from.
        cache_size: how many passages' sentence vectors to keep in memory.
    """

    def __init__(self, base: KnowledgeBase, *, cache_size: int = 2048) -> None:
        self.base = base
        self.options = base.options
        self._cache: OrderedDict[int, tuple[list[str], Any]] = OrderedDict()
        self._cache_size = cache_size

    def candidates(
        self,
        question: str,
        *,
        user: str | None = None,
        limit: int = 5,
        vector: Any = None,
    ) -> list[Candidate]:
        """The best sentences for ``question``, best first."""
        if vector is None:
            vector = self.base.embed_query(question)
        hits = self.base.search(
            question, limit=self.options.answer_passages, vector=vector
        )
        ratings = (
            self.base.feedback_near(
                user, vector, min_similarity=self.options.feedback_similarity
            )
            if user is not None
            else []
        )
        hits = self._with_promoted(hits, ratings)
        if not hits:
            return []
        terms = query_terms(question)
        weights = self.base.idf(terms)
        top = max(hit.score for hit in hits) or 1.0
        scored: list[Candidate] = []
        for hit in hits:
            sentences, vectors = self._sentences(hit)
            similarities = vectors @ vector
            for sentence, similarity in zip(sentences, similarities, strict=True):
                overlap = keyword_overlap(sentence, terms, weights)
                score = (
                    self.options.sentence_weight * float(similarity)
                    + self.options.overlap_weight * overlap
                    + self.options.passage_weight * hit.score / top
                )
                score += _feedback_shift(
                    hit.passage_id, sentence, ratings, self.options.feedback_weight
                )
                scored.append(
                    Candidate(sentence, score, hit, float(similarity), overlap)
                )
        scored.sort(key=lambda candidate: -candidate.score)
        return scored[:limit]

    def answer(self, question: str, *, user: str | None = None) -> Candidate | None:
        """The best sentence, or None when none is likely to answer."""
        found = self.candidates(question, user=user, limit=1)
        if not found:
            return None
        best = found[0]
        logger.debug(
            "Best answer %.3f (threshold %.3f): %r",
            best.score,
            self.options.answer_threshold,
            best.sentence,
        )
        return best if best.score >= self.options.answer_threshold else None

    def _with_promoted(
        self, hits: list[Hit], ratings: list[tuple[int, str, int, float]]
    ) -> list[Hit]:
        """Add passages liked for similar questions that the search missed."""
        present = {hit.passage_id for hit in hits}
        liked = [
            pid for pid, _, rating, _ in ratings if rating > 0 and pid not in present
        ]
        if not liked:
            return hits
        floor = min((hit.score for hit in hits), default=1.0)
        rows = self.base.passages(liked)
        extra = [
            Hit(
                pid,
                floor,
                row["path"],
                row["source"],
                row["heading"],
                row["text"],
                row["line"],
                row["page"],
            )
            for pid, row in rows.items()
        ]
        return hits + extra

    def _sentences(self, hit: Hit) -> tuple[list[str], Any]:
        cached = self._cache.get(hit.passage_id)
        if cached is not None:
            self._cache.move_to_end(hit.passage_id)
            return cached
        sentences = split_sentences(hit.text) or [hit.text]
        vectors = np.asarray(self.base.embedder.embed(sentences), dtype=np.float32)
        self._cache[hit.passage_id] = (sentences, vectors)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return sentences, vectors


def _feedback_shift(
    passage_id: int,
    sentence: str,
    ratings: list[tuple[int, str, int, float]],
    weight: float,
) -> float:
    """How far the user's ratings move this sentence.

    A liked answer moves up by ``weight`` times the questions' similarity; a
    disliked one drops below every other sentence.
    """
    shift = 0.0
    for rated_passage, rated_sentence, rating, similarity in ratings:
        if rated_passage == passage_id and rated_sentence == sentence:
            shift += weight * similarity if rating > 0 else -DISLIKED
    return shift
