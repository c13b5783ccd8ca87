"""Reminders in the assistant's SQLite database.

Two tables, owned by the ``reminders`` component:

* ``reminders``: one row per reminder. ``due_utc`` is the next time it is due
  (UTC, ISO 8601, fixed width so that text order is time order); ``wall`` is
  the same moment as naive local wall time in ``zone``, from which the next
  occurrence of a repeating ``rule`` is computed.
* ``deliveries``: one row per occurrence delivered, unique on
  ``(reminder_id, due_utc)``. Claiming a due reminder inserts this row and
  moves the reminder on in one transaction, so no occurrence is claimed twice,
  even by two processes. ``announced`` is set once the listeners were called,
  ``handled`` once the user said "done" or "snooze" to it; ``owner`` names the
  process that claimed it; ``snoozed_to`` the reminder a snooze brought back
  (the reminder itself, or the one-off copy of a repeating one), so that
  "done" just after "snooze" finds it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["MIGRATIONS", "Reminder", "from_iso", "to_iso"]

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE reminders (
        id INTEGER PRIMARY KEY,
        user TEXT NOT NULL,
        task TEXT NOT NULL CHECK (task != ''),
        due_utc TEXT NOT NULL,
        wall TEXT NOT NULL,
        zone TEXT NOT NULL,
        rule TEXT,
        recurrence TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'fired', 'done', 'cancelled')),
        created_at TEXT NOT NULL
    );
    CREATE INDEX reminders_due ON reminders(status, due_utc);
    CREATE INDEX reminders_user ON reminders(user, status, due_utc);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        reminder_id INTEGER NOT NULL REFERENCES reminders(id) ON DELETE CASCADE,
        due_utc TEXT NOT NULL,
        delivered_at TEXT NOT NULL,
        late INTEGER NOT NULL,
        announced INTEGER NOT NULL DEFAULT 0,
        handled INTEGER NOT NULL DEFAULT 0,
        owner TEXT NOT NULL DEFAULT '',
        UNIQUE (reminder_id, due_utc)
    );
    CREATE INDEX deliveries_unannounced ON deliveries(announced, id);
    """,
    """
    ALTER TABLE deliveries ADD COLUMN snoozed_to INTEGER REFERENCES reminders(id)
        ON DELETE SET NULL;
    """,
)

STATUSES = ("pending", "fired", "done", "cancelled")


@dataclass(frozen=True, slots=True)
class Reminder:
    """A stored reminder.

    Attributes:
        id: its number, unique in the database.
        user: whose it is.
        task: what to remind of.
        due: the next (or last, once fired) time it is due, in the user's zone.
        recurrence: how it repeats, in words, or ``None`` for a one-off.
        status: ``pending`` (waiting), ``fired`` (a one-off that went off),
            ``done`` or ``cancelled``.
        created_at: when it was made, UTC.
    """

    id: int
    user: str
    task: str
    due: datetime
    recurrence: str | None
    status: str
    created_at: datetime


def to_iso(moment: datetime) -> str:
    """Fixed-width UTC ISO 8601 (``2026-03-05T17:00:00+00:00``): sorts as text."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def reminder_from_row(row: sqlite3.Row) -> Reminder:
    """A :class:`Reminder` from a ``reminders`` row."""
    get = row.__getitem__
    zone = ZoneInfo(get("zone"))
    return Reminder(
        id=int(get("id")),
        user=get("user"),
        task=get("task"),
        due=from_iso(get("due_utc")).astimezone(zone),
        recurrence=get("recurrence"),
        status=get("status"),
        created_at=from_iso(get("created_at")),
    )
