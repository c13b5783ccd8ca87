"""The reminder service on a real SQLite database: storing and delivering."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assistant.errors import InputError
from assistant.events import Event, EventBus
from assistant.phrases import Phrases
from assistant.skills.reminders import ReminderError, ReminderService
from assistant.skills.reminders.scheduler import when_words
from assistant.storage import Database

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
T = datetime(2026, 3, 3, 17, 0, tzinfo=LONDON)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path / "assistant.db")
    yield db
    db.close()


@pytest.fixture
def service(database: Database) -> Iterator[ReminderService]:
    reminders = ReminderService(database, EventBus(), Phrases())
    yield reminders
    reminders.stop()


def deliveries(database: Database, reminder_id: int) -> int:
    rows = database.query(
        "SELECT COUNT(*) AS n FROM deliveries WHERE reminder_id = ?", (reminder_id,)
    )
    return int(rows[0]["n"])


def test_a_reminder_is_delivered_once_when_due(
    service: ReminderService, database: Database
) -> None:
    heard: list[Event] = []
    service.events.subscribe(heard.append)
    reminder = service.add(
        user="ann", task="call mum", due=T, now=T - timedelta(hours=1)
    )

    assert service.deliver_due(T - timedelta(seconds=1)) == []
    (event,) = service.deliver_due(T)
    assert service.deliver_due(T + timedelta(seconds=5)) == []

    assert heard == [event]
    assert event.kind == "reminder.due"
    assert event.user == "ann"
    assert event.text == "Reminder: call mum (due 17:00)"
    assert event.data == {
        "reminder_id": reminder.id,
        "task": "call mum",
        "due": "2026-03-03T17:00:00+00:00",
        "late": False,
    }
    assert deliveries(database, reminder.id) == 1
    assert service.get(reminder.id).status == "fired"
    assert service.upcoming("ann") == []


def test_a_reminder_due_while_not_running_is_delivered_late(
    service: ReminderService,
) -> None:
    service.add(user="ann", task="water the plants", due=T, now=T - timedelta(days=1))
    (event,) = service.deliver_due(T + timedelta(hours=3))
    assert event.data["late"] is True
    assert "late" in event.text and "Tuesday 3 March at 17:00" in event.text


def test_upcoming_lists_soonest_first_in_the_users_zone(
    service: ReminderService,
) -> None:
    later = service.add(user="ann", task="b", due=T + timedelta(hours=2))
    sooner = service.add(user="ann", task="a", due=T + timedelta(hours=1))
    service.add(user="bob", task="not ann's", due=T)
    upcoming = service.upcoming("ann")
    assert [r.id for r in upcoming] == [sooner.id, later.id]
    assert upcoming[0].due.tzinfo == LONDON
    assert upcoming[0].due == T + timedelta(hours=1)
    assert service.upcoming("ann", limit=1) == upcoming[:1]


def test_a_daily_reminder_stays_at_local_time_across_daylight_saving(
    service: ReminderService,
) -> None:
    first = datetime(2026, 3, 7, 7, 30, tzinfo=NEW_YORK)
    reminder = service.add(
        user="ann", task="pills", due=first, rule="FREQ=DAILY", recurrence="daily"
    )
    (event,) = service.deliver_due(first)
    assert event.data["due"] == "2026-03-07T12:30:00+00:00"
    following = service.get(reminder.id).due
    assert following.replace(tzinfo=None) == datetime(2026, 3, 8, 7, 30)
    assert following.astimezone(UTC).hour == 11

    (event,) = service.deliver_due(following)
    assert event.data["due"] == "2026-03-08T11:30:00+00:00"


def test_missed_occurrences_of_a_repeating_reminder_come_once_late(
    service: ReminderService, database: Database
) -> None:
    reminder = service.add(
        user="ann", task="stretch", due=T, rule="FREQ=DAILY", recurrence="daily"
    )
    events = service.deliver_due(T + timedelta(days=3, hours=1))
    assert len(events) == 1 and events[0].data["late"]
    assert service.get(reminder.id).due == T + timedelta(days=4)
    assert deliveries(database, reminder.id) == 1


def race_cancel_and_delivery(
    service: ReminderService, reminder_id: int
) -> tuple[list[Event], str]:
    """Deliver and cancel from two threads released at the same instant."""
    start = threading.Barrier(2)
    delivered: list[list[Event]] = []
    cancelled: list[str] = []

    def deliver() -> None:
        start.wait()
        delivered.append(service.deliver_due(T))

    def cancel() -> None:
        start.wait()
        cancelled.append(service.cancel(reminder_id).status)

    threads = [threading.Thread(target=deliver), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return delivered[0], cancelled[0]


def test_cancel_in_the_same_moment_it_fires_acts_exactly_once(
    database: Database,
) -> None:
    service = ReminderService(database, EventBus(), Phrases())
    for round_ in range(25):
        reminder = service.add(user="ann", task=f"task {round_}", due=T)
        delivered, status_before = race_cancel_and_delivery(service, reminder.id)

        count = deliveries(database, reminder.id)
        assert status_before in ("pending", "fired")
        assert count == (1 if status_before == "fired" else 0)
        assert len(delivered) == count
        assert service.deliver_due(T + timedelta(minutes=1)) == []
        assert service.get(reminder.id).status == "cancelled"


def test_asking_for_the_list_while_it_fires_still_delivers_once(
    service: ReminderService, database: Database
) -> None:
    reminder = service.add(user="ann", task="pasta", due=T)
    start = threading.Barrier(2)
    seen: list[int] = []

    def look() -> None:
        start.wait()
        seen.append(len(service.upcoming("ann")))

    def deliver() -> None:
        start.wait()
        service.deliver_due(T)

    threads = [threading.Thread(target=look), threading.Thread(target=deliver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen in ([0], [1])
    assert deliveries(database, reminder.id) == 1


def test_snooze_brings_a_fired_reminder_back(service: ReminderService) -> None:
    reminder = service.add(user="ann", task="oven", due=T)
    service.deliver_due(T)
    assert service.last_fired("ann") == service.get(reminder.id)

    snoozed = service.snooze(reminder.id, minutes=10, now=T + timedelta(seconds=20))
    assert snoozed.id == reminder.id and snoozed.status == "pending"
    assert snoozed.due == T + timedelta(minutes=10, seconds=20)
    assert service.last_fired("ann") == snoozed  # still the one that went off
    (event,) = service.deliver_due(T + timedelta(minutes=11))
    assert event.data["reminder_id"] == reminder.id


def test_snoozing_a_repeating_reminder_makes_a_one_off_copy(
    service: ReminderService,
) -> None:
    reminder = service.add(
        user="ann", task="pills", due=T, rule="FREQ=DAILY", recurrence="daily"
    )
    service.deliver_due(T)
    copy = service.snooze(reminder.id, minutes=5, now=T)
    assert copy.id != reminder.id and copy.recurrence is None
    assert copy.due == T + timedelta(minutes=5)
    assert service.get(reminder.id).due == T + timedelta(days=1)


def test_done_after_snooze_finishes_the_snoozed_reminder_not_an_earlier_one(
    service: ReminderService,
) -> None:
    first = service.add(user="ann", task="oven", due=T)
    second = service.add(user="ann", task="bins", due=T + timedelta(minutes=1))
    service.deliver_due(T)
    service.deliver_due(T + timedelta(minutes=1))
    assert service.last_fired("ann") == service.get(second.id)

    snoozed = service.snooze(second.id, minutes=10, now=T + timedelta(minutes=2))
    assert snoozed.id == second.id
    target = service.last_fired("ann")
    assert target is not None and target.id == second.id
    service.done(target.id)
    assert service.get(second.id).status == "done"
    assert service.get(first.id).status == "fired"
    assert service.deliver_due(T + timedelta(minutes=30)) == []  # not back

    earlier = service.last_fired("ann")
    assert earlier is not None and earlier.id == first.id
    service.done(first.id)
    assert service.last_fired("ann") is None


def test_done_after_snoozing_a_repeating_reminder_finishes_its_copy(
    service: ReminderService,
) -> None:
    reminder = service.add(
        user="ann", task="pills", due=T, rule="FREQ=DAILY", recurrence="daily"
    )
    service.deliver_due(T)
    copy = service.snooze(reminder.id, minutes=5, now=T)
    assert service.last_fired("ann") == copy
    service.done(copy.id)
    assert service.get(copy.id).status == "done"
    assert service.get(reminder.id).status == "pending"  # the rule goes on
    assert service.last_fired("ann") is None
    assert service.deliver_due(T + timedelta(minutes=6)) == []


def test_done_closes_a_fired_reminder(service: ReminderService) -> None:
    reminder = service.add(user="ann", task="bins", due=T)
    service.deliver_due(T)
    service.done(reminder.id)
    assert service.get(reminder.id).status == "done"
    assert service.last_fired("ann") is None


def test_bad_requests_are_refused_clearly(service: ReminderService) -> None:
    reminder = service.add(user="ann", task="x", due=T)
    with pytest.raises(ReminderError, match="between 1 minute and a week"):
        service.snooze(reminder.id, minutes=0)
    with pytest.raises(ReminderError, match="no reminder 999"):
        service.cancel(999)
    with pytest.raises(ReminderError, match="needs a task"):
        service.add(user="ann", task="  ", due=T)
    with pytest.raises(ReminderError, match="time zone"):
        service.add(user="ann", task="x", due=T.replace(tzinfo=None))
    fixed = service.add(user="ann", task="x", due=datetime.fromisoformat(T.isoformat()))
    assert fixed.due == T and str(fixed.due.tzinfo) == "UTC"


def test_deliveries_claimed_by_a_dead_process_are_announced_on_restart(
    database: Database,
) -> None:
    dead = ReminderService(database, EventBus(), Phrases())
    reminder = dead.add(user="ann", task="lost?", due=T)
    dead._claim(T)  # the process dies right after this commit

    heard: list[Event] = []
    bus = EventBus()
    bus.subscribe(heard.append)
    restarted = ReminderService(database, bus, Phrases())
    events = restarted.deliver_due(T + timedelta(hours=1))
    assert [e.data["reminder_id"] for e in events] == [reminder.id]
    assert events[0].data["late"] is True and heard == events
    assert restarted.deliver_due(T + timedelta(hours=2)) == []


def test_the_background_thread_delivers_and_stops(service: ReminderService) -> None:
    arrived = threading.Event()
    service.events.subscribe(lambda event: arrived.set())
    service.poll_seconds = 0.05
    with time_machine.travel(T, tick=True):
        service.add(user="ann", task="now", due=T - timedelta(seconds=1))
        service.start()
        assert service.running
        assert arrived.wait(10)
    service.stop()
    assert not service.running


def test_forget_deletes_the_users_reminders(
    service: ReminderService, database: Database
) -> None:
    reminder = service.add(user="ann", task="secret", due=T)
    service.deliver_due(T)
    service.add(user="bob", task="keep", due=T + timedelta(hours=1))
    service.forget("ann")
    with pytest.raises(ReminderError):
        service.get(reminder.id)
    assert deliveries(database, reminder.id) == 0
    assert len(service.upcoming("bob")) == 1


def test_dates_far_ahead_or_in_another_year_are_said_with_the_year() -> None:
    now = datetime(2026, 3, 3, 17, 0, tzinfo=LONDON)
    soon = datetime(2026, 4, 10, 9, 0, tzinfo=LONDON)
    far = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)  # more than six months
    next_year = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    assert when_words(soon, now) == "Friday 10 April at 09:00"
    assert when_words(far, now) == "Sunday 20 December 2026 at 09:00"
    assert when_words(next_year, now) == "Tuesday 5 January 2027 at 09:00"
    with time_machine.travel(now, tick=False):  # no ``now``: the current time
        assert when_words(soon) == "Friday 10 April at 09:00"
        assert when_words(far) == "Sunday 20 December 2026 at 09:00"
        assert when_words(next_year) == "Tuesday 5 January 2027 at 09:00"


def test_asking_for_no_reminders_is_an_error(service: ReminderService) -> None:
    service.add(user="ann", task="oven", due=T + timedelta(hours=1))
    with pytest.raises(InputError, match="at least one"):
        service.upcoming("ann", limit=-1)
    assert len(service.upcoming("ann", limit=1)) == 1
