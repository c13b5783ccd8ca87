"""Combining dense and keyword results, and choosing the sentence that answers.

Fusion is reciprocal-rank fusion (``rrf``) or a weighted sum of scores
normalised per list (``weighted``); ``docs/benchmarks.md`` compares them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from assistant.knowledge.chunking import words

__all__ = [
    "STOPWORDS",
    "fts_query",
    "fuse",
    "keyword_overlap",
    "query_terms",
    "stem",
]

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "after",
        "before",
        "also",
        "any",
        "some",
        "such",
        "via",
        "he",
        "she",
        "his",
        "her",
        "him",
        "us",
        "not",
        "no",
        "yes",
        "up",
        "out",
        "over",
        "under",
    ]
)


def stem(word: str) -> str:
    """A light suffix strip, enough to match "gardens" with "garden"."""
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def query_terms(text: str, *, ignore: Iterable[str] = ()) -> list[str]:
    """The distinct content words of a query, in order."""
    skip = STOPWORDS | set(ignore)
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in skip and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 expression matching any of the terms (each quoted, so safe)."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def fuse(
    dense: Sequence[tuple[int, float]],
    keyword: Sequence[tuple[int, float]],
    *,
    method: str = "rrf",
    rrf_k: float = 60.0,
    dense_weight: float = 0.5,
) -> list[tuple[int, float]]:
    """One ranking from two: ids with fused scores, best first.

    Args:
        dense: (id, cosine) best first.
        keyword: (id, BM25 score, higher is better) best first.
        method: ``rrf`` or ``weighted``.
        rrf_k: the RRF constant.
        dense_weight: the share of the dense score in ``weighted`` fusion.
    """
    scores: dict[int, float] = {}
    if method == "rrf":
        for ranking in (dense, keyword):
            for rank, (item, _) in enumerate(ranking, start=1):
                scores[item] = scores.get(item, 0.0) + 1.0 / (rrf_k + rank)
    else:
        for ranking, weight in ((dense, dense_weight), (keyword, 1 - dense_weight)):
            for item, value in _normalised(ranking).items():
                scores[item] = scores.get(item, 0.0) + weight * value
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _normalised(ranking: Sequence[tuple[int, float]]) -> dict[int, float]:
    """Scores scaled to 0..1 by the list's best and worst."""
    if not ranking:
        return {}
    values = [score for _, score in ranking]
    top, bottom = max(values), min(values)
    spread = top - bottom
    if spread <= 1e-9:
        return {item: 1.0 for item, _ in ranking}
    return {item: (score - bottom) / spread for item, score in ranking}


def keyword_overlap(
    sentence: str, terms: Sequence[str], idf: Mapping[str, float]
) -> float:
    """The IDF-weighted share of the query's terms found in the sentence (0..1)."""
    if not terms:
        return 0.0
    present = {stem(word) for word in words(sentence)}
    total = sum(idf.get(term, 1.0) for term in terms)
    found = sum(idf.get(term, 1.0) for term in terms if stem(term) in present)
    return found / total if total > 0 else 0.0


def idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency, never negative."""
    return math.log(
        1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5)
    )
