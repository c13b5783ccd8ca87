"""From scored candidates to a short, varied list: filters and MMR."""

from __future__ import annotations

import numpy as np

__all__ = ["mmr"]


def mmr(
    rows: np.ndarray,
    relevance: np.ndarray,
    vectors: np.ndarray,
    *,
    count: int,
    balance: float = 0.7,
) -> list[int]:
    """Maximal marginal relevance: relevant items that are not alike.

    Args:
        rows: candidate rows, any order.
        relevance: their scores (any scale; rescaled to 0-1 here).
        vectors: unit vectors of all items, for the similarity between picks.
        count: how many to pick.
        balance: 1 keeps the order of relevance, 0 only spreads out.

    Returns:
        The picked rows, in the order they were picked.
    """
    if len(rows) == 0:
        return []
    low, high = float(relevance.min()), float(relevance.max())
    scaled = (relevance - low) / (high - low) if high > low else np.ones(len(rows))
    candidates = vectors[rows]
    closest = np.full(len(rows), -np.inf)
    picked: list[int] = []
    available = np.ones(len(rows), dtype=bool)
    for _ in range(min(count, len(rows))):
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        value = balance * scaled - (1 - balance) * penalty
        value[~available] = -np.inf
        best = int(np.argmax(value))
        picked.append(int(rows[best]))
        available[best] = False
        closest = np.maximum(closest, candidates @ candidates[best])
    return picked
