"""The hybrid model: content embeddings and ALS factors in one vector per item.

An item's vector is ``[sqrt(wc) * content, sqrt(wf) * factors]``; a user's
query is ``[sqrt(wc) * taste, sqrt(wf) * als_user]``, so one inner product
(what the FAISS index computes) is ``wc * content similarity + wf * ALS
score``. A popularity prior is added when candidates are ranked. Items
without collaborative factors (imported without ratings) have zeros there
and compete on content alone. The weights were chosen on the goodbooks
benchmark (``benchmarks/recommend_goodbooks.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.recommend.collab import AlsSettings, fold_in_many

__all__ = ["HybridModel", "Weights"]


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts."""

    content: float = 0.3
    collab: float = 1.0
    popularity: float = 0.0
    """Validation on goodbooks preferred none; cold start still orders by it."""
    dislike: float = 0.5
    """How strongly disliked items push the content taste away."""


class HybridModel:
    """Item vectors, user queries and the popularity prior.

    Args:
        content: unit content embeddings, one row per item.
        factors: ALS item factors in the same rows (zeros where unknown), or
            None when no ratings exist.
        popularity: a non-negative popularity per item.
        weights: how the signals mix.
        als: the settings the factors were fitted with (for folding users in).
    """

    def __init__(
        self,
        content: np.ndarray,
        factors: np.ndarray | None,
        popularity: np.ndarray,
        *,
        weights: Weights | None = None,
        als: AlsSettings | None = None,
    ) -> None:
        self.weights = weights or Weights()
        self.als = als or AlsSettings()
        self.content = np.ascontiguousarray(content, dtype=np.float32)
        count = len(self.content)
        self.factors = (
            np.zeros((count, 0), dtype=np.float32)
            if factors is None
            else np.ascontiguousarray(factors, dtype=np.float32)
        )
        self.matrix = np.hstack(
            [
                np.sqrt(self.weights.content) * self.content,
                np.sqrt(self.weights.collab) * self.factors,
            ]
        ).astype(np.float32)
        """The rows the index searches."""
        scaled = np.log1p(np.maximum(np.asarray(popularity, dtype=np.float64), 0))
        top = scaled.max() if count and scaled.max() > 0 else 1.0
        self.popularity = (scaled / top).astype(np.float32)
        """Log popularity scaled to 0-1 (the cold-start order)."""
        self.prior = self.weights.popularity * self.popularity

    def user_query(
        self, likes: Mapping[int, float], dislikes: Mapping[int, float] | None = None
    ) -> np.ndarray:
        """The query for someone with these ``{row: strength}`` likes and dislikes.

        A strength is 1 for "loved" (5 stars), 0.5 for 4 stars; the ALS part
        folds the likes in with confidence ``2 * strength``, as in training.
        """
        query: np.ndarray = self.user_queries([likes], [dislikes or {}])[0]
        return query

    def user_queries(
        self,
        likes: Sequence[Mapping[int, float]],
        dislikes: Sequence[Mapping[int, float]],
    ) -> np.ndarray:
        """:meth:`user_query` for many users at once, one row each."""
        tastes = np.zeros((len(likes), self.content.shape[1]), dtype=np.float32)
        for number, (liked, disliked) in enumerate(zip(likes, dislikes, strict=True)):
            for row, strength in liked.items():
                tastes[number] += strength * self.content[row]
            for row, strength in disliked.items():
                tastes[number] -= self.weights.dislike * strength * self.content[row]
        norms = np.linalg.norm(tastes, axis=1, keepdims=True)
        tastes /= np.maximum(norms, 1e-6)
        users = np.zeros((len(likes), self.factors.shape[1]), dtype=np.float32)
        if self.factors.shape[1]:
            known = [
                {row: 2 * s for row, s in liked.items() if self.factors[row].any()}
                for liked in likes
            ]
            users = fold_in_many(self.factors, known, self.als)
        return np.hstack(
            [
                np.sqrt(self.weights.content) * tastes,
                np.sqrt(self.weights.collab) * users,
            ]
        ).astype(np.float32)

    def item_query(self, row: int) -> np.ndarray:
        """A query for items like the one in ``row``."""
        return self.user_query({row: 1.0})

    def text_query(
        self, vector: np.ndarray, base: np.ndarray | None = None
    ) -> np.ndarray:
        """Steer a query (or start one) towards an embedded request text.

        The text's part of the score is its plain cosine with each item's
        content, whatever the content weight (twice that next to a taste, so
        the words asked for count more than the profile).
        """
        scale = 1 / np.sqrt(max(self.weights.content, 1e-6))
        topic = np.concatenate(
            [scale * vector, np.zeros(self.factors.shape[1], dtype=np.float32)]
        ).astype(np.float32)
        return topic if base is None else base + 2 * topic

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Exact scores of every item (what the flat index gives, plus the prior)."""
        scores: np.ndarray = self.matrix @ query + self.prior
        return scores
