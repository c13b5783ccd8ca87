"""Feedback as JSON Lines: one turn per line, with every piece of feedback on it.

Each line looks like::

    {"turn": {"user": "default", "created_at": "...", "text": "...",
              "intent": "...", "model_version": "...", ...},
     "feedback": [{"created_at": "...", "rating": -1, "correct_intent": null,
                   "comment": null}]}

Importing adds what is not there yet: a turn is the same when its user, time
and text are; a piece of feedback when all its fields are. Importing a file
twice changes nothing the second time.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.errors import InputError
from assistant.storage import Database

__all__ = ["ImportResult", "export_lines", "import_lines"]

TURN_FIELDS = (
    "created_at", "user", "text", "intent", "confidence", "runner_up",
    "runner_up_confidence", "skill", "reply", "data", "latency_ms", "model_version",
)  # fmt: skip
FEEDBACK_FIELDS = ("created_at", "rating", "correct_intent", "comment")


@dataclass
class ImportResult:
    """What an import added."""

    turns: int = 0
    feedback: int = 0
    unchanged: int = 0
    users: set[str] = field(default_factory=set)
    corrected_users: set[str] = field(default_factory=set)


def export_lines(database: Database, user: str | None = None) -> Iterator[str]:
    """One JSON line per turn that has feedback, oldest first (only ``user``'s)."""
    condition = "EXISTS (SELECT 1 FROM feedback f WHERE f.turn_id = t.id)"
    params: tuple[str, ...] = ()
    if user is not None:
        condition += " AND t.user = ?"
        params = (user,)
    columns = ", ".join("t." + name for name in TURN_FIELDS)
    turns = database.query(
        f"SELECT t.id, {columns} FROM turns t WHERE {condition} ORDER BY t.id", params
    )
    for turn in turns:
        rows = database.query(
            f"SELECT {', '.join(FEEDBACK_FIELDS)} FROM feedback WHERE turn_id = ?"
            " ORDER BY id",
            (turn["id"],),
        )
        record = {name: turn[name] for name in TURN_FIELDS}
        record["data"] = json.loads(record["data"] or "{}")
        line = {"turn": record, "feedback": [dict(row) for row in rows]}
        yield json.dumps(line, ensure_ascii=False)


def import_lines(
    database: Database, lines: Iterable[str], intents: Collection[str]
) -> ImportResult:
    """Add the turns and feedback of exported lines, all or nothing.

    Raises:
        InputError: a line is not valid (its number says which); nothing is added.
    """
    records = [
        _parse(line, number, intents)
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
    result = ImportResult()
    with database.transaction() as conn:
        for turn, feedback in records:
            turn_id = _turn_id(conn, turn, result)
            for item in feedback:
                values = [item[name] for name in FEEDBACK_FIELDS]
                if conn.execute(
                    "SELECT 1 FROM feedback WHERE turn_id = ? AND created_at = ?"
                    " AND rating IS ? AND correct_intent IS ? AND comment IS ?",
                    (turn_id, *values),
                ).fetchone():
                    result.unchanged += 1
                    continue
                conn.execute(
                    "INSERT INTO feedback (turn_id, created_at, rating,"
                    " correct_intent, comment) VALUES (?, ?, ?, ?, ?)",
                    (turn_id, *values),
                )
                result.feedback += 1
                if item["correct_intent"] is not None:
                    result.corrected_users.add(turn["user"])
    return result


def _turn_id(
    conn: sqlite3.Connection, turn: dict[str, Any], result: ImportResult
) -> int:
    result.users.add(turn["user"])
    row = conn.execute(
        "SELECT id FROM turns WHERE user = ? AND created_at = ? AND text = ?",
        (turn["user"], turn["created_at"], turn["text"]),
    ).fetchone()
    if row is not None:
        return int(row[0])
    values = [turn.get(name) for name in TURN_FIELDS]
    values[TURN_FIELDS.index("data")] = json.dumps(turn.get("data") or {})
    cursor = conn.execute(
        f"INSERT INTO turns ({', '.join(TURN_FIELDS)})"
        f" VALUES ({', '.join('?' * len(TURN_FIELDS))})",
        values,
    )
    result.turns += 1
    return int(cursor.lastrowid or 0)


def _parse(
    line: str, number: int, intents: Collection[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    def bad(problem: str) -> InputError:
        return InputError(
            f"Line {number} of the feedback file {problem}; nothing was imported. "
            "Fix the line or remove it, then import again."
        )

    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise bad(f"is not JSON ({exc.msg})") from exc
    if not isinstance(record, dict) or not isinstance(record.get("turn"), dict):
        raise bad('has no "turn" object')
    turn, feedback = record["turn"], record.get("feedback", [])
    for name in ("user", "created_at", "text", "reply"):
        if not isinstance(turn.get(name), str) or not turn[name]:
            raise bad(f'has no text in turn "{name}"')
    if not _is_time(turn["created_at"]):
        raise bad(f"has the turn time {turn['created_at']!r} (use an ISO date-time)")
    for name in _TEXT_OR_NULL:
        if turn.get(name) is not None and not isinstance(turn[name], str):
            raise bad(f'has a turn "{name}" that is not text')
    for name in _NUMBER_OR_NULL:
        if turn.get(name) is not None and not _is_number(turn[name]):
            raise bad(f'has a turn "{name}" that is not a number')
    if turn.get("data") is not None and not isinstance(turn["data"], dict):
        raise bad('has a turn "data" that is not an object')
    if not isinstance(feedback, list) or not all(isinstance(f, dict) for f in feedback):
        raise bad('has a "feedback" that is not a list of objects')
    for item in feedback:
        if item.get("rating") not in (None, -1, 0, 1) or isinstance(
            item.get("rating"), bool
        ):
            raise bad(f"has the rating {item.get('rating')!r} (use -1, 0, 1 or null)")
        correct = item.get("correct_intent")
        if correct is not None and (
            not isinstance(correct, str) or correct not in intents
        ):
            raise bad(f"corrects to the unknown intent {correct!r}")
        if not isinstance(item.get("created_at"), str):
            raise bad('has feedback without "created_at"')
        if not _is_time(item["created_at"]):
            raise bad(
                f"has the feedback time {item['created_at']!r} (use an ISO date-time)"
            )
        if item.get("comment") is not None and not isinstance(item["comment"], str):
            raise bad("has a comment that is not text")
        for name in FEEDBACK_FIELDS:
            item.setdefault(name, None)
    return turn, feedback


_TEXT_OR_NULL = ("intent", "runner_up", "skill", "model_version")
_NUMBER_OR_NULL = ("confidence", "runner_up_confidence", "latency_ms")


def _is_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
