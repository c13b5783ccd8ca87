"""Scoring an intent model on labelled sentences."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import InputError

__all__ = ["EvalReport", "evaluate", "read_labelled"]


@dataclass
class EvalReport:
    """Accuracy, per-intent precision and recall, and the most common confusions."""

    total: int
    correct: int
    precision: dict[str, float] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "accuracy": round(self.accuracy, 4),
            "per_intent": {
                name: {
                    "precision": round(self.precision[name], 4),
                    "recall": round(self.recall[name], 4),
                    "support": self.support[name],
                }
                for name in sorted(self.support)
            },
            "confusions": [
                {"expected": e, "predicted": p, "count": n}
                for e, p, n in self.confusions
            ],
        }

    def format(self) -> str:
        """A plain-text table for the terminal."""
        noun = "sentence" if self.total == 1 else "sentences"
        lines = [f"accuracy {self.accuracy:.1%} on {self.total} {noun}", ""]
        lines.append(f"{'intent':<24}{'precision':>10}{'recall':>10}{'support':>9}")
        for name in sorted(self.support):
            lines.append(
                f"{name:<24}{self.precision[name]:>10.1%}{self.recall[name]:>10.1%}"
                f"{self.support[name]:>9}"
            )
        if self.confusions:
            lines += ["", "most common confusions (expected -> predicted):"]
            lines += [f"  {n:>4}  {e} -> {p}" for e, p, n in self.confusions]
        return "\n".join(lines)


def evaluate(
    pairs: Sequence[tuple[str, str]],
    classify: Callable[[Sequence[str]], list[str]],
    *,
    top_confusions: int = 15,
) -> EvalReport:
    """Score ``classify`` (texts -> predicted intents) on (text, intent) pairs."""
    predicted = classify([text for text, _ in pairs])
    expected = [label for _, label in pairs]
    hits = Counter(e for e, p in zip(expected, predicted, strict=True) if e == p)
    support = Counter(expected)
    guessed = Counter(predicted)
    confusions = Counter(
        (e, p) for e, p in zip(expected, predicted, strict=True) if e != p
    )

    names = sorted(set(support) | set(guessed))
    return EvalReport(
        total=len(pairs),
        correct=sum(hits.values()),
        precision={n: hits[n] / guessed[n] if guessed[n] else 0.0 for n in names},
        recall={n: hits[n] / support[n] if support[n] else 0.0 for n in names},
        support={n: support[n] for n in names},
        confusions=[(e, p, n) for (e, p), n in confusions.most_common(top_confusions)],
    )


def read_labelled(path: Path) -> list[tuple[str, str]]:
    """Read ``text<TAB>intent`` lines; a header row ``text<TAB>intent`` is skipped.

    Raises:
        InputError: the file is missing, unreadable or has no usable rows.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc
    rows = [line.split("\t") for line in lines]
    pairs = [
        (row[0].strip(), row[1].strip())
        for row in rows
        if len(row) >= 2 and row[0].strip() and row[1].strip()
    ]
    if pairs and pairs[0] == ("text", "intent"):
        pairs = pairs[1:]
    if not pairs:
        raise InputError(f"{path} has no 'text<TAB>intent' lines.")
    return pairs
