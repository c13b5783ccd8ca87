"""Counting turns and feedback, and estimating accuracy from the feedback."""

from __future__ import annotations

from typing import Any

from assistant.storage import Database

__all__ = ["format_stats", "gather"]

# Each turn with feedback: its latest rating and its latest correction. A
# thumbs-up after a correction is about the corrected reply, so it does not
# make the first reading right.
_VERDICTS = """
    SELECT t.intent, t.model_version,
      (SELECT f.rating FROM feedback f WHERE f.turn_id = t.id
        AND f.rating IS NOT NULL ORDER BY f.id DESC LIMIT 1),
      (SELECT f.correct_intent FROM feedback f WHERE f.turn_id = t.id
        AND f.correct_intent IS NOT NULL ORDER BY f.id DESC LIMIT 1)
    FROM turns t WHERE t.id IN (SELECT turn_id FROM feedback) {where}
"""


def gather(database: Database, user: str | None = None) -> dict[str, Any]:
    """Turns, intents, feedback and accuracy estimates, for ``user`` or everyone.

    A turn counts as wrong when it was corrected to another intent (whatever
    rating came after) or its latest rating is a thumbs-down, and as right
    when its latest rating is a thumbs-up or a correction confirms the intent.
    ``judged_accuracy`` is right / (right + wrong);
    ``intent_accuracy`` assumes every classified turn nobody corrected was
    right, so it is an upper bound that tightens as feedback accumulates.
    """
    where, params = ("WHERE user = ?", (user,)) if user else ("", ())
    turns = database.query(
        f"SELECT COUNT(*), COUNT(DISTINCT user) FROM turns {where}", params
    )[0]
    intents = database.query(
        f"SELECT intent, COUNT(*) FROM turns {where} GROUP BY intent"
        " ORDER BY COUNT(*) DESC, intent",
        params,
    )
    rows = database.query(
        _VERDICTS.format(where="AND t.user = ?" if user else ""), params
    )

    feedback = {"thumbs_up": 0, "thumbs_down": 0, "neutral": 0, "corrections": 0}
    by_model: dict[str, dict[str, int]] = {}
    for intent, version, rating, correct in rows:
        if correct is not None:
            feedback["corrections"] += 1
        name = {1: "thumbs_up", -1: "thumbs_down", 0: "neutral"}.get(rating)
        if name:
            feedback[name] += 1
        corrected_away = correct is not None and correct != intent
        wrong = corrected_away or rating == -1
        right = not wrong and (rating == 1 or correct == intent)
        counts = by_model.setdefault(version or "none", {"right": 0, "wrong": 0})
        counts["right"] += right
        counts["wrong"] += wrong

    right = sum(c["right"] for c in by_model.values())
    wrong = sum(c["wrong"] for c in by_model.values())
    classified = sum(count for intent, count in intents if intent is not None)
    misread = sum(
        1 for intent, _, _, correct in rows if correct is not None and correct != intent
    )
    return {
        "user": user,
        "users": turns[1],
        "turns": turns[0],
        "intents": {intent or "(rejected input)": count for intent, count in intents},
        "feedback": {"turns_judged": len(rows), **feedback},
        "judged_accuracy": _ratio(right, right + wrong),
        "intent_accuracy": _ratio(classified - misread, classified),
        "by_model": {
            version: {
                **counts,
                "accuracy": _ratio(counts["right"], sum(counts.values())),
            }
            for version, counts in sorted(by_model.items())
        },
    }


def format_stats(stats: dict[str, Any]) -> str:
    """The statistics as lines of text for a terminal."""

    def percent(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    feedback = stats["feedback"]
    lines = [
        f"Turns: {stats['turns']}"
        + ("" if stats["user"] else f" ({stats['users']} users)"),
        "Intents:",
        *(f"  {name:<24} {count:>6}" for name, count in stats["intents"].items()),
        f"Feedback on {feedback['turns_judged']} turns: "
        f"{feedback['thumbs_up']} up, {feedback['thumbs_down']} down, "
        f"{feedback['corrections']} intent corrections",
        f"Accuracy of judged replies: {percent(stats['judged_accuracy'])}",
        f"Intent accuracy (uncorrected turns counted right): "
        f"{percent(stats['intent_accuracy'])}",
    ]
    for version, counts in stats["by_model"].items():
        lines.append(
            f"  model {version}: {counts['right']} right, {counts['wrong']} wrong"
            f" ({percent(counts['accuracy'])})"
        )
    return "\n".join(lines)


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)
