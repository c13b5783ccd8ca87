"""The reminder service: store, list, snooze, cancel and deliver due reminders.

Delivery is *exactly once* in the database: :meth:`ReminderService.deliver_due`
claims every due occurrence in one ``BEGIN IMMEDIATE`` transaction, inserting
a ``deliveries`` row (unique per reminder and due time) and moving the
reminder on (a one-off becomes ``fired``, a repeating one gets its next due
time). Only after that commit are the listeners told, and then the delivery
is marked ``announced``.

A process killed between the claim and the announcement leaves a claimed,
unannounced delivery; the next service to run on that database announces it
(marked late), so nothing is lost. The one window in which a listener can be
told twice is between a listener returning and the ``announced`` commit (well
under a millisecond); every event carries ``reminder_id`` and ``due``, which
together identify the occurrence, so a listener that must never show a
duplicate can drop an event it has already seen.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.errors import AssistantError, InputError
from assistant.events import Event, EventBus
from assistant.phrases import Phrases
from assistant.skills.reminders.recurrence import next_occurrence
from assistant.skills.reminders.store import (
    MIGRATIONS,
    Reminder,
    from_iso,
    reminder_from_row,
    to_iso,
)
from assistant.storage import Database

__all__ = ["ReminderError", "ReminderService", "day_words", "when_words"]

logger = logging.getLogger(__name__)

COMPONENT = "reminders"


class ReminderError(AssistantError):
    """A reminder cannot be found or changed as asked."""


class ReminderService:
    """Reminders kept in the database and delivered when due.

    Args:
        database: the assistant's database.
        events: where ``reminder.due`` events are published.
        phrases: the templates for the event text.
        grace: a reminder delivered more than this after its time is ``late``.
        poll_seconds: how often the background thread looks for due reminders.
    """

    def __init__(
        self,
        database: Database,
        events: EventBus,
        phrases: Phrases,
        *,
        grace: timedelta = timedelta(seconds=60),
        poll_seconds: float = 1.0,
    ) -> None:
        database.migrate(COMPONENT, MIGRATIONS)
        self.database = database
        self.events = events
        self.phrases = phrases
        self.grace = grace
        self.poll_seconds = poll_seconds
        self._owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._adopted = False
        self._deliver_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- reading and changing ------------------------------------------------------

    def add(
        self,
        *,
        user: str,
        task: str,
        due: datetime,
        rule: str | None = None,
        recurrence: str | None = None,
        now: datetime | None = None,
    ) -> Reminder:
        """Store a reminder due at ``due`` (aware; its zone is the user's).

        Raises:
            ReminderError: the task is empty or ``due`` has no time zone.
        """
        if not task.strip():
            raise ReminderError("A reminder needs a task; say what to remind of.")
        if due.tzinfo is None:
            raise ReminderError(
                "The due time needs a time zone, e.g. datetime(..., tzinfo=ZoneInfo("
                "'Europe/Paris'))."
            )
        zone = getattr(due.tzinfo, "key", None)
        if zone is None:  # a fixed offset: keep the moment, in UTC
            zone, due = "UTC", due.astimezone(ZoneInfo("UTC"))
        created = to_iso(now or datetime.now(UTC))
        wall = due.replace(tzinfo=None, microsecond=0).isoformat()
        with self.database.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO reminders (user, task, due_utc, wall, zone, rule,"
                " recurrence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user,
                    task.strip(),
                    to_iso(due),
                    wall,
                    zone,
                    rule,
                    recurrence,
                    created,
                ),
            )
            reminder_id = int(cursor.lastrowid or 0)
        return self.get(reminder_id)

    def get(self, reminder_id: int) -> Reminder:
        """The reminder with this id.

        Raises:
            ReminderError: there is none.
        """
        rows = self.database.query(
            "SELECT * FROM reminders WHERE id = ?", (reminder_id,)
        )
        if not rows:
            raise ReminderError(f"There is no reminder {reminder_id}.")
        return reminder_from_row(rows[0])

    def upcoming(self, user: str, limit: int = 20) -> list[Reminder]:
        """The user's pending reminders, soonest first: at most ``limit`` (1+)."""
        if limit < 1:
            raise InputError(f"Ask for at least one reminder, not {limit}.")
        rows = self.database.query(
            "SELECT * FROM reminders WHERE user = ? AND status = 'pending'"
            " ORDER BY due_utc, id LIMIT ?",
            (user, limit),
        )
        return [reminder_from_row(row) for row in rows]

    def last_fired(self, user: str) -> Reminder | None:
        """The reminder that most recently went off for ``user``, not yet done.

        "The one that just went off" is the latest delivery the user has not
        answered with "done"; a snooze answers it but keeps it the latest, so
        "done" right after "snooze" finishes the snoozed reminder (for a
        repeating one, its snoozed copy) rather than one that went off earlier.
        """
        rows = self.database.query(
            "SELECT r.* FROM deliveries d"
            " JOIN reminders r ON r.id = COALESCE(d.snoozed_to, d.reminder_id)"
            " WHERE r.user = ? AND r.status IN ('pending', 'fired')"
            " AND (d.handled = 0 OR d.snoozed_to IS NOT NULL)"
            " ORDER BY d.id DESC LIMIT 1",
            (user,),
        )
        return reminder_from_row(rows[0]) if rows else None

    def cancel(self, reminder_id: int) -> Reminder:
        """Cancel a reminder; returns it as it was just before.

        A reminder that went off in the same moment stays delivered (once); the
        returned ``status`` says which came first (``fired`` or ``pending``).

        Raises:
            ReminderError: there is no such reminder.
        """
        with self.database.transaction() as conn:
            before = self.get(reminder_id)
            conn.execute(
                "UPDATE reminders SET status = 'cancelled' WHERE id = ?", (reminder_id,)
            )
            conn.execute(
                "UPDATE deliveries SET handled = 1 WHERE reminder_id = ?",
                (reminder_id,),
            )
        return before

    def snooze(
        self, reminder_id: int, minutes: float = 10, now: datetime | None = None
    ) -> Reminder:
        """Bring a reminder back ``minutes`` from ``now``.

        A one-off reminder is moved; a repeating one keeps its rule and a
        one-off copy is made for the snooze (the returned reminder).

        Raises:
            ReminderError: no such reminder, it was cancelled, or ``minutes``
                is not between 1 minute and a week.
        """
        if not 0 < minutes <= 7 * 24 * 60:
            raise ReminderError("Snooze for between 1 minute and a week.")
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        reminder = self.get(reminder_id)
        if reminder.status == "cancelled":
            raise ReminderError(f"Reminder {reminder_id} was cancelled.")
        zone = reminder.due.tzinfo
        due = (moment + timedelta(minutes=minutes)).astimezone(zone)
        target = reminder_id
        if reminder.recurrence is not None:
            copy = self.add(user=reminder.user, task=reminder.task, due=due, now=moment)
            target = copy.id
        with self.database.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET handled = 1, snoozed_to = ?"
                " WHERE reminder_id = ? OR snoozed_to = ?",
                (target, reminder_id, reminder_id),
            )
            if reminder.recurrence is None:
                conn.execute(
                    "UPDATE reminders SET status = 'pending', due_utc = ?, wall = ?"
                    " WHERE id = ?",
                    (to_iso(due), _wall(due), reminder_id),
                )
        return self.get(target)

    def done(self, reminder_id: int) -> None:
        """Mark a reminder done (for a repeating one: this occurrence only).

        Raises:
            ReminderError: there is no such reminder.
        """
        reminder = self.get(reminder_id)
        with self.database.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET handled = 1 WHERE reminder_id = ?",
                (reminder_id,),
            )
            if reminder.recurrence is None and reminder.status != "cancelled":
                conn.execute(
                    "UPDATE reminders SET status = 'done' WHERE id = ?", (reminder_id,)
                )

    def forget(self, user: str) -> None:
        """Delete every reminder of ``user`` and its deliveries."""
        with self.database.transaction() as conn:
            conn.execute(
                "DELETE FROM deliveries WHERE reminder_id IN"
                " (SELECT id FROM reminders WHERE user = ?)",
                (user,),
            )
            conn.execute("DELETE FROM reminders WHERE user = ?", (user,))

    # -- delivery ------------------------------------------------------------------

    def deliver_due(self, now: datetime | None = None) -> list[Event]:
        """Deliver every reminder due by ``now``, each occurrence exactly once.

        Claims them in one transaction, then publishes one ``reminder.due``
        event per occurrence on the event bus and returns the events. Also
        announces deliveries claimed by a process that died before telling
        its listeners.
        """
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        with self._deliver_lock:
            self._adopt_orphans()
            self._claim(moment)
            return self._announce(moment)

    def _adopt_orphans(self) -> None:
        """Take over deliveries a dead process claimed but never announced."""
        if self._adopted:
            return
        with self.database.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET owner = ? WHERE announced = 0", (self._owner,)
            )
        self._adopted = True

    def _claim(self, now: datetime) -> None:
        with self.database.transaction() as conn:
            rows = conn.execute(
                "SELECT id, due_utc, wall, zone, rule FROM reminders"
                " WHERE status = 'pending' AND due_utc <= ? ORDER BY due_utc, id",
                (to_iso(now),),
            ).fetchall()
            for reminder_id, due_utc, wall, zone_name, rule in rows:
                late = now - from_iso(due_utc) > self.grace
                conn.execute(
                    "INSERT OR IGNORE INTO deliveries (reminder_id, due_utc,"
                    " delivered_at, late, owner) VALUES (?, ?, ?, ?, ?)",
                    (reminder_id, due_utc, to_iso(now), int(late), self._owner),
                )
                if rule is None:
                    conn.execute(
                        "UPDATE reminders SET status = 'fired' WHERE id = ?",
                        (reminder_id,),
                    )
                    continue
                try:
                    nxt = next_occurrence(
                        rule, datetime.fromisoformat(wall), now, ZoneInfo(zone_name)
                    )
                except ValueError:  # the rule has run out: this was the last one
                    logger.warning("Reminder %d has no next occurrence", reminder_id)
                    conn.execute(
                        "UPDATE reminders SET status = 'fired' WHERE id = ?",
                        (reminder_id,),
                    )
                    continue
                conn.execute(
                    "UPDATE reminders SET due_utc = ?, wall = ? WHERE id = ?",
                    (to_iso(nxt), _wall(nxt), reminder_id),
                )

    def _announce(self, now: datetime) -> list[Event]:
        rows = self.database.query(
            "SELECT d.id AS delivery_id, d.due_utc AS occurrence, d.late, r.*"
            " FROM deliveries d JOIN reminders r ON r.id = d.reminder_id"
            " WHERE d.announced = 0 AND d.owner = ? ORDER BY d.id",
            (self._owner,),
        )
        events = []
        for row in rows:
            event = self._event(row, now)
            self.events.publish(event)
            with self.database.transaction() as conn:
                conn.execute(
                    "UPDATE deliveries SET announced = 1 WHERE id = ?",
                    (row["delivery_id"],),
                )
            events.append(event)
        return events

    def _event(self, row: sqlite3.Row, now: datetime) -> Event:
        get = row.__getitem__
        zone = ZoneInfo(get("zone"))
        due = from_iso(get("occurrence"))
        late = bool(get("late")) or now - due > self.grace
        local = due.astimezone(zone)
        if late:
            text = self.phrases.say(
                "reminder_due_late", task=get("task"), when=when_words(local, now)
            )
        else:
            text = self.phrases.say(
                "reminder_due", task=get("task"), time=f"{local:%H:%M}"
            )
        data = {
            "reminder_id": int(get("id")),
            "task": get("task"),
            "due": to_iso(due),
            "late": late,
        }
        return Event(kind="reminder.due", user=get("user"), text=text, data=data)

    # -- background thread ---------------------------------------------------------

    def start(self) -> None:
        """Deliver due reminders from a background thread until :meth:`stop`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="reminders", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (waits for a delivery in progress)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while True:
            try:
                self.deliver_due()
            except AssistantError:  # a locked or read-only database: try again
                logger.exception("Delivering reminders failed; trying again")
            if self._stop.wait(self.poll_seconds):
                return


FAR_AHEAD = timedelta(days=183)
"""A day further from now than this is said with its year."""


def when_words(moment: datetime, now: datetime | None = None) -> str:
    """ "Tuesday 5 March at 17:00"; with the year ("Friday 4 February 2028 at
    09:00") when it is in another year than ``now`` (default: the current
    time) or about six months or more away, so that a wrong year shows."""
    return f"{day_words(moment, now)} at {moment:%H:%M}"


def day_words(day: date | datetime, now: datetime | None = None) -> str:
    """ "Tuesday 5 March", with the year as :func:`when_words` says it."""
    now = now or datetime.now(UTC)
    if isinstance(day, datetime):
        now = now.astimezone(day.tzinfo) if day.tzinfo is not None else now
        day = day.date()
    today = now.date()
    far = day.year != today.year or abs(day - today) > FAR_AHEAD
    year = f" {day.year}" if far else ""
    return f"{day:%A} {day.day} {day:%B}{year}"


def _wall(moment: datetime) -> str:
    return moment.replace(tzinfo=None, microsecond=0).isoformat()
