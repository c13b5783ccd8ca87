"""Collaborative factors: implicit ALS learned from who liked what.

Ratings become confidences: a 4 or 5 star rating (or an implicit event) is a
positive, weighted by how strong it is; lower ratings are left out, as ALS
on implicit data expects. Users who are not in the training data (everyone
talking to the assistant) get their factors by folding their likes into the
fitted item factors, which is one least-squares solve.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "AlsSettings",
    "fit_factors",
    "fit_item_factors",
    "fold_in",
    "fold_in_many",
    "positives_matrix",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlsSettings:
    """ALS hyper-parameters, chosen on the goodbooks benchmark."""

    factors: int = 64
    regularization: float = 0.05
    alpha: float = 2.0
    iterations: int = 15
    seed: int = 7


def positives_matrix(
    users: np.ndarray, items: np.ndarray, ratings: np.ndarray, shape: tuple[int, int]
) -> Any:
    """A users x items CSR matrix of confidences from 1-5 star ratings.

    Ratings of 4 and 5 count (5 twice as much as 4); 0 < rating < 4 is left
    out; an implicit event is given as rating 5.
    """
    from scipy.sparse import csr_matrix

    keep = ratings >= 4
    weights = np.where(ratings[keep] >= 5, 2.0, 1.0).astype(np.float32)
    matrix = csr_matrix((weights, (users[keep], items[keep])), shape=shape)
    matrix.sum_duplicates()
    return matrix


def fit_item_factors(user_items: Any, settings: AlsSettings | None = None) -> Any:
    """Fit ALS on a users x items confidence matrix; returns item factors (float32)."""
    return fit_factors(user_items, settings)[0]


def fit_factors(
    user_items: Any, settings: AlsSettings | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fit ALS; returns the item factors and the user factors (float32)."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    settings = settings or AlsSettings()
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=settings.factors,
            regularization=settings.regularization,
            alpha=settings.alpha,
            iterations=settings.iterations,
            random_state=settings.seed,
        )
        model.fit(user_items, show_progress=False)
    logger.info("ALS fitted on %d users x %d items", *user_items.shape)
    return (
        np.asarray(model.item_factors, dtype=np.float32),
        np.asarray(model.user_factors, dtype=np.float32),
    )


def fold_in(
    item_factors: np.ndarray,
    likes: Mapping[int, float],
    settings: AlsSettings | None = None,
) -> np.ndarray:
    """The ALS user vector of someone whose likes are ``{item row: confidence}``."""
    user: np.ndarray = fold_in_many(item_factors, [likes], settings)[0]
    return user


def fold_in_many(
    item_factors: np.ndarray,
    users: Sequence[Mapping[int, float]],
    settings: AlsSettings | None = None,
) -> np.ndarray:
    """ALS user vectors for several users at once, one row each."""
    from implicit.cpu.als import AlternatingLeastSquares
    from scipy.sparse import csr_matrix
    from threadpoolctl import threadpool_limits

    settings = settings or AlsSettings()
    rows, cols, data = [], [], []
    for number, likes in enumerate(users):
        for item, weight in likes.items():
            if weight > 0:
                rows.append(number)
                cols.append(item)
                data.append(weight)
    matrix = csr_matrix(
        (
            np.array(data, dtype=np.float32),
            (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)),
        ),
        shape=(len(users), item_factors.shape[0]),
    )
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=item_factors.shape[1],
            regularization=settings.regularization,
            alpha=settings.alpha,
        )
        model.item_factors = np.ascontiguousarray(item_factors, dtype=np.float32)
        found = model.recalculate_user(np.arange(len(users)), matrix)
    return np.asarray(found, dtype=np.float32).reshape(len(users), -1)
