"""Recommendation quality on the goodbooks-10k ratings sample.

Per-user split: 20 % of each user's 4-5 star ratings are held out (at least
one, for users with 5 or more); everything else is training data. Scored
with nDCG@10 and recall@10 over all 10,000 books, already-rated books
excluded, for:

- popularity: most 4-5 star ratings in training;
- content-only: MiniLM embeddings of title, author and series, the user's
  taste the weighted mean of their liked books;
- ALS alone: ``implicit`` ALS, the user's own trained factors;
- hybrid (the assistant's model, :class:`HybridModel`): the user's likes
  folded into the same ALS item factors, plus content and a popularity
  prior, weights chosen on a validation split carved out of training.

Cold start: 300 users left out of training entirely; each gives 5 liked
books and the rest of their 4-5 star books are the test set.

Run by hand, niced (about 5 minutes on 2 cores, most of it embedding 10k
titles once; the vectors are cached under .cache/bench-recommend)::

    nice -n 10 .venv/bin/python benchmarks/recommend_goodbooks.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.config import EmbeddingSettings
from assistant.models.embedder import Embedder
from assistant.recommend.catalog import Item
from assistant.recommend.collab import AlsSettings, fit_factors, positives_matrix
from assistant.recommend.model import HybridModel, Weights
from assistant.recommend.vectors import ContentVectors

ROOT = Path(__file__).resolve().parents[1]
K = 10
Scorer = Callable[[list[int]], np.ndarray]
"""Scores of every book for each of the users, one row per user."""


def load_entry() -> Callable[[dict[str, str]], dict[str, object]]:
    path = ROOT / "assistant" / "recommend" / "data" / "build_goodbooks.py"
    spec = importlib.util.spec_from_file_location("build_goodbooks", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._entry  # type: ignore[no-any-return]


def ndcg_recall(
    scores: np.ndarray, seen: np.ndarray, held: np.ndarray
) -> tuple[float, float]:
    scores = scores.astype(np.float64).copy()
    scores[seen] = -np.inf
    top = np.argpartition(-scores, K)[:K]
    top = top[np.argsort(-scores[top])]
    hits = np.isin(top, held)
    dcg = float((hits / np.log2(np.arange(2, K + 2))).sum())
    ideal = float((1 / np.log2(np.arange(2, min(K, len(held)) + 2))).sum())
    return dcg / ideal, float(hits.sum()) / min(K, len(held))


def split(
    data: np.ndarray, rng: np.random.Generator, users: np.ndarray
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Hold out 20 % of each user's 4-5 star rows; returns train mask and held items."""
    train = np.ones(len(data), dtype=bool)
    held: dict[int, np.ndarray] = {}
    for user in users:
        rows = np.flatnonzero((data[:, 0] == user) & (data[:, 2] >= 4))
        if len(rows) < 5:
            continue
        out = rng.choice(rows, max(1, len(rows) // 5), replace=False)
        train[out] = False
        held[int(user)] = data[out, 1]
    return train, held


def evaluate(
    name: str,
    score: Scorer,
    held: dict[int, np.ndarray],
    seen: dict[int, np.ndarray],
) -> tuple[float, float]:
    users = list(held)
    results = []
    for start in range(0, len(users), 500):
        chunk = users[start : start + 500]
        for user, row in zip(chunk, score(chunk), strict=True):
            results.append(ndcg_recall(row, seen[user], held[user]))
    ndcg, recall = np.mean(results, axis=0)
    print(f"| {name} | {ndcg:.4f} | {recall:.4f} | {len(held)} |", flush=True)
    return float(ndcg), float(recall)


def main() -> None:
    parser = argparse.ArgumentParser(description="goodbooks recommendation benchmark")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    source = args.data / "recsys" / "goodbooks10k"
    rng = np.random.default_rng(args.seed)

    entry = load_entry()
    with (source / "books.csv").open(encoding="utf-8") as handle:
        books = sorted(csv.DictReader(handle), key=lambda b: int(b["book_id"]))
    items = [
        Item(
            key=f"book:{b['book_id']}",
            kind="book",
            title=str(e["title"]),
            creator=str(e["author"]),
            year=e["year"],  # type: ignore[arg-type]
            tags=tuple(e.get("tags", ())),
        )  # type: ignore[arg-type]
        for b, e in ((b, entry(b)) for b in books)
    ]
    started = time.perf_counter()
    embedder = Embedder(EmbeddingSettings(), ROOT / ".cache" / "bench-recommend")
    content = ContentVectors(embedder, ROOT / ".cache" / "bench-recommend").vectors(
        [item.text() for item in items]
    )
    print(
        f"content vectors for {len(items)} books: {time.perf_counter() - started:.0f} s"
    )

    data = np.loadtxt(
        source / "ratings_user_sample_5pct.csv",
        delimiter=",",
        skiprows=1,
        dtype=np.int64,
    )
    data[:, 1] -= 1  # book ids 1..10000 -> rows
    all_users = np.unique(data[:, 0])
    cold_users = rng.choice(all_users, 300, replace=False)
    warm = ~np.isin(data[:, 0], cold_users)
    warm_data, cold_data = data[warm], data[~warm]
    user_row = {int(u): n for n, u in enumerate(all_users)}
    shape = (len(all_users), len(items))

    def fit(
        rows: np.ndarray, settings: AlsSettings
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ALS on rows; returns item factors, user factors and popularity."""
        users = np.array([user_row[int(u)] for u in rows[:, 0]])
        matrix = positives_matrix(users, rows[:, 1], rows[:, 2], shape)
        item_factors, user_factors = fit_factors(matrix, settings)
        popularity = np.bincount(matrix.indices, minlength=len(items)).astype(float)
        return item_factors, user_factors, popularity

    def by_user(rows: np.ndarray) -> dict[int, np.ndarray]:
        order = np.argsort(rows[:, 0], kind="stable")
        ordered = rows[order]
        cuts = np.flatnonzero(np.diff(ordered[:, 0])) + 1
        return {int(part[0, 0]): part for part in np.split(ordered, cuts)}

    def taste(mine: np.ndarray) -> tuple[dict[int, float], dict[int, float]]:
        likes = {int(i): (1.0 if r >= 5 else 0.5) for _, i, r in mine if r >= 4}
        dislikes = {int(i): 1.0 for _, i, r in mine if r <= 2}
        return likes, dislikes

    def hybrid_scorer(model: HybridModel, rows: np.ndarray) -> Scorer:
        grouped = by_user(rows)

        def score(users: list[int]) -> np.ndarray:
            tastes = [taste(grouped[u]) for u in users]
            queries = model.user_queries([t[0] for t in tastes], [t[1] for t in tastes])
            return queries @ model.matrix.T + model.prior

        return score

    def als_scorer(item_f: np.ndarray, user_f: np.ndarray) -> Scorer:
        return lambda users: user_f[[user_row[u] for u in users]] @ item_f.T

    def popular(popularity: np.ndarray) -> Scorer:
        return lambda users: np.tile(popularity, (len(users), 1))

    # Validation: choose ALS settings and hybrid weights inside the training data.
    train_mask, held = split(warm_data, rng, np.unique(warm_data[:, 0]))
    train = warm_data[train_mask]
    val_mask, val_held = split(train, rng, np.unique(train[:, 0])[::3])
    val_train = train[val_mask]
    grouped = by_user(val_train)
    val_seen = {u: grouped[u][:, 1] for u in val_held}
    print("\nValidation (choosing settings), nDCG@10 / recall@10:")
    print("| setting | nDCG@10 | recall@10 | users |\n|---|---|---|---|")
    best_als, best = AlsSettings(), -1.0
    for factors in (32, 64):
        for reg in (0.05, 1.0):
            settings = AlsSettings(factors=factors, regularization=reg)
            item_f, user_f, _ = fit(val_train, settings)
            result = evaluate(
                f"ALS f={factors} reg={reg}",
                als_scorer(item_f, user_f),
                val_held,
                val_seen,
            )[0]
            if result > best:
                best_als, best = settings, result
    item_f, _, popularity = fit(val_train, best_als)
    best_weights, best = Weights(), -1.0
    for content_w in (0.0, 0.1, 0.3, 0.6, 1.0):
        for pop_w in (0.0, 0.05, 0.1):
            weights = Weights(content=content_w, popularity=pop_w)
            model = HybridModel(
                content, item_f, popularity, weights=weights, als=best_als
            )
            result = evaluate(
                f"hybrid content={content_w} popularity={pop_w}",
                hybrid_scorer(model, val_train),
                val_held,
                val_seen,
            )[0]
            if result > best:
                best_weights, best = weights, result
    print(f"\nchosen: {best_als}, {best_weights}")

    # Test: the held-out 20 %.
    item_f, user_f, popularity = fit(train, best_als)
    grouped = by_user(train)
    seen = {u: grouped[u][:, 1] for u in held}
    content_only = HybridModel(
        content, None, popularity, weights=Weights(content=1, collab=0, popularity=0)
    )
    hybrid = HybridModel(
        content, item_f, popularity, weights=best_weights, als=best_als
    )
    total = sum(map(len, held.values()))
    print(f"\nTest: {len(train):,} training ratings, {total:,} held out")
    print("| model | nDCG@10 | recall@10 | users |\n|---|---|---|---|")
    evaluate("popularity", popular(popularity), held, seen)
    evaluate("content-only (MiniLM)", hybrid_scorer(content_only, train), held, seen)
    evaluate("implicit ALS alone", als_scorer(item_f, user_f), held, seen)
    evaluate(
        "ALS, user folded in",
        hybrid_scorer(
            HybridModel(
                content,
                item_f,
                popularity,
                weights=Weights(content=0, popularity=0),
                als=best_als,
            ),
            train,
        ),
        held,
        seen,
    )
    evaluate("hybrid (assistant)", hybrid_scorer(hybrid, train), held, seen)

    # Cold start: users never trained on, 5 known likes each.
    item_f, _, popularity = fit(warm_data, best_als)
    cold_held: dict[int, np.ndarray] = {}
    cold_known: dict[int, np.ndarray] = {}
    for user in cold_users:
        liked = cold_data[(cold_data[:, 0] == user) & (cold_data[:, 2] >= 4)][:, 1]
        if len(liked) >= 10:
            known = rng.choice(liked, 5, replace=False)
            cold_known[int(user)] = known
            cold_held[int(user)] = np.setdiff1d(liked, known)
    hybrid = HybridModel(
        content, item_f, popularity, weights=best_weights, als=best_als
    )
    als_only = HybridModel(
        content,
        item_f,
        popularity,
        weights=Weights(content=0, popularity=0),
        als=best_als,
    )
    content_only = HybridModel(
        content, None, popularity, weights=Weights(content=1, collab=0, popularity=0)
    )

    def from_known(model: HybridModel) -> Scorer:
        def score(users: list[int]) -> np.ndarray:
            likes = [{int(i): 1.0 for i in cold_known[u]} for u in users]
            queries = model.user_queries(likes, [{} for _ in users])
            return queries @ model.matrix.T + model.prior

        return score

    print("\nCold start: 5 known likes per new user")
    print("| model | nDCG@10 | recall@10 | users |\n|---|---|---|---|")
    evaluate("popularity", popular(popularity), cold_held, cold_known)
    evaluate("content-only (MiniLM)", from_known(content_only), cold_held, cold_known)
    evaluate("ALS, user folded in", from_known(als_only), cold_held, cold_known)
    evaluate("hybrid (assistant)", from_known(hybrid), cold_held, cold_known)


if __name__ == "__main__":
    main()
