"""Reminders through the whole assistant: real intent model, real database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assistant.bot import Assistant
from assistant.events import Event

pytestmark = pytest.mark.slow

LONDON = ZoneInfo("Europe/London")
T = datetime(2026, 3, 3, 16, 0, tzinfo=LONDON)  # a Tuesday


def test_a_created_reminder_carries_its_utc_time_and_id(bot: Assistant) -> None:
    reply = bot.respond("remind me in 20 minutes to stretch", user="ann", now=T)
    assert (reply.intent, reply.skill) == ("reminder.create", "reminders")
    data = reply.data
    assert data["due"] == "2026-03-03T16:20:00+00:00"
    assert data["due_local"] == "2026-03-03T16:20:00+00:00"
    assert data["zone"] == "Europe/London"
    assert data["task"] == "stretch"
    assert data["recurrence"] is None
    assert "Tuesday 3 March at 16:20" in reply.text
    (stored,) = bot.reminders.upcoming("ann")
    assert stored.id == data["reminder_id"] and stored.task == "stretch"


def test_the_issue_phrasings_create_reminders(bot: Assistant) -> None:
    cases = {
        "remind me to call mum tomorrow at 5pm": "2026-03-04T17:00:00+00:00",
        "ping me in 20 min about the oven": "2026-03-03T16:20:00+00:00",
        "set a timer for 12 minutes": "2026-03-03T16:12:00+00:00",
        "wake me at 6": "2026-03-04T06:00:00+00:00",
        "every weekday at 7:30 remind me to take my pills": "2026-03-04T07:30:00+00:00",
        "on the 3rd remind me to pay rent": "2026-04-03T08:00:00+00:00",
    }
    for text, due in cases.items():
        reply = bot.respond(text, user="bea", now=T)
        assert reply.skill == "reminders", text
        assert reply.data.get("due") == due, (text, reply.text)
    assert len(bot.reminders.upcoming("bea")) == len(cases)
    pills = [r for r in bot.reminders.upcoming("bea") if r.task == "take my pills"]
    assert pills[0].recurrence == "every weekday at 07:30"


def test_it_asks_when_and_takes_the_answer(bot: Assistant) -> None:
    question = bot.respond("remind me to stretch", user="cy", now=T)
    assert question.data == {"question": "when"}
    assert bot.reminders.upcoming("cy") == []
    answer = bot.respond("at 5pm", user="cy", now=T + timedelta(seconds=5))
    assert answer.data["task"] == "stretch"
    assert answer.data["due"] == "2026-03-03T17:00:00+00:00"


def test_it_asks_what_and_takes_the_answer(bot: Assistant) -> None:
    question = bot.respond("remind me at 4", user="di", now=T)
    assert question.data == {"question": "what"}
    assert "Wednesday 4 March at 04:00" in question.text
    answer = bot.respond("water the plants", user="di", now=T)
    assert answer.data["task"] == "water the plants"
    assert answer.data["due"] == "2026-03-04T04:00:00+00:00"


def test_an_ambiguous_hour_is_asked_about(bot: Assistant) -> None:
    question = bot.respond(
        "remind me tomorrow at 5 to call the plumber", user="ed", now=T
    )
    assert question.data == {"question": "ampm"}
    answer = bot.respond("in the afternoon", user="ed", now=T)
    assert answer.data["due"] == "2026-03-04T17:00:00+00:00"
    assert answer.data["task"] == "call the plumber"


def test_past_and_absurd_times_are_refused(bot: Assistant) -> None:
    past = bot.respond("remind me yesterday at 5 to call the bank", user="fi", now=T)
    assert past.data["error"] == "past" and "past" in past.text
    far = bot.respond("remind me in 500 years to open the capsule", user="fi", now=T)
    assert far.data["error"] == "too_far"
    assert bot.reminders.upcoming("fi") == []


def test_listing_all_and_for_tomorrow(bot: Assistant) -> None:
    bot.respond("remind me to buy bread in 2 hours", user="gus", now=T)
    bot.respond("remind me to call the bank tomorrow at 10am", user="gus", now=T)
    everything = bot.respond("what reminders do I have", user="gus", now=T)
    assert everything.intent == "reminder.list"
    assert len(everything.data["reminders"]) == 2
    assert "buy bread" in everything.text and "call the bank" in everything.text
    tomorrow = bot.respond("anything for tomorrow?", user="gus", now=T)
    assert [r["task"] for r in tomorrow.data["reminders"]] == ["call the bank"]


def test_cancelling_by_name_by_time_and_by_day_with_confirmation(
    bot: Assistant,
) -> None:
    bot.respond("remind me to call the dentist tomorrow at 10am", user="hal", now=T)
    bot.respond("remind me to take my pills tomorrow at 7:30am", user="hal", now=T)
    bot.respond("remind me to water the plants on friday at 9am", user="hal", now=T)
    bot.respond(
        "remind me to pay the window cleaner on friday at 6pm", user="hal", now=T
    )

    by_name = bot.respond("cancel the dentist reminder", user="hal", now=T)
    assert by_name.intent == "reminder.cancel" and len(by_name.data["cancelled"]) == 1
    by_time = bot.respond("delete the 7:30 one", user="hal", now=T)
    assert len(by_time.data["cancelled"]) == 1
    assert "take my pills" in by_time.text

    confirm = bot.respond("drop all reminders for Friday", user="hal", now=T)
    assert confirm.data == {"question": "confirm"}
    assert len(bot.reminders.upcoming("hal")) == 2
    done = bot.respond("yes", user="hal", now=T)
    assert len(done.data["cancelled"]) == 2
    assert bot.reminders.upcoming("hal") == []


def test_snooze_is_set_aside_when_nothing_has_gone_off(bot: Assistant) -> None:
    # the intent model finds both readings close; only setting one can apply
    close = bot.respond("remind me in 2 hours to x", user="kim", now=T)
    snoozy = bot.respond("remind me in 1 minute", user="lee", now=T)

    assert (close.intent, close.skill) == ("reminder.create", "reminders")
    assert close.data["task"] == "x" and "clarify" not in close.data
    assert (
        snoozy.intent == "reminder.create"
    )  # asks what, instead of "nothing to snooze"
    assert snoozy.data.get("error") != "nothing_fired"


def test_snooze_and_done_act_on_the_reminder_that_just_fired(bot: Assistant) -> None:
    heard: list[Event] = []
    bot.listen(heard.append)
    created = bot.respond("remind me to check the oven in 5 minutes", user="ivy", now=T)
    due = T + timedelta(minutes=5)
    (event,) = bot.reminders.deliver_due(due)
    assert heard == [event] and event.user == "ivy"
    assert event.text == "Reminder: check the oven (due 16:05)"

    snoozed = bot.respond("snooze 10 minutes", user="ivy", now=due)
    assert snoozed.intent == "reminder.snooze"
    assert snoozed.data["reminder_id"] == created.data["reminder_id"]
    assert snoozed.data["due"] == "2026-03-03T16:15:00+00:00"
    (again,) = bot.reminders.deliver_due(due + timedelta(minutes=10))
    assert again.data["reminder_id"] == created.data["reminder_id"]

    finished = bot.respond("done", user="ivy", now=due + timedelta(minutes=11))
    assert finished.intent == "reminder.done"
    assert bot.reminders.get(created.data["reminder_id"]).status == "done"
    nothing = bot.respond("done", user="ivy", now=due + timedelta(minutes=12))
    assert nothing.data == {"error": "nothing_fired"}


def test_asking_what_is_left_as_it_fires_answers_once_and_delivers_once(
    bot: Assistant,
) -> None:
    bot.respond("set a timer for 12 minutes", user="jo", now=T)
    due = T + timedelta(minutes=12)
    start = threading.Barrier(2)
    replies, events = [], []

    def ask() -> None:
        start.wait()
        replies.append(bot.respond("how long is left on my timer", user="jo", now=due))

    def deliver() -> None:
        start.wait()
        events.extend(bot.reminders.deliver_due(due))

    threads = [threading.Thread(target=ask), threading.Thread(target=deliver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(replies) == 1 and replies[0].intent == "reminder.list"
    assert len(events) == 1
    assert bot.reminders.deliver_due(due + timedelta(minutes=1)) == []


def test_snooze_then_done_finishes_the_snoozed_reminder(bot: Assistant) -> None:
    first = bot.respond("remind me to check the oven in 5 minutes", user="kit", now=T)
    second = bot.respond(
        "remind me to take the bins out in 6 minutes", user="kit", now=T
    )
    (went_off,) = bot.reminders.deliver_due(T + timedelta(minutes=5))
    assert went_off.data["reminder_id"] == first.data["reminder_id"]
    (went_off,) = bot.reminders.deliver_due(T + timedelta(minutes=6))
    assert went_off.data["reminder_id"] == second.data["reminder_id"]

    now = T + timedelta(minutes=7)
    snoozed = bot.respond("snooze", user="kit", now=now)
    assert snoozed.data["reminder_id"] == second.data["reminder_id"]
    assert "take the bins out" in snoozed.text
    finished = bot.respond("done", user="kit", now=now + timedelta(seconds=30))
    assert finished.intent == "reminder.done"
    assert finished.data["reminder_id"] == second.data["reminder_id"]
    assert "take the bins out" in finished.text
    assert bot.reminders.get(second.data["reminder_id"]).status == "done"
    assert bot.reminders.get(first.data["reminder_id"]).status == "fired"
    assert bot.reminders.deliver_due(now + timedelta(minutes=20)) == []

    earlier = bot.respond("done", user="kit", now=now + timedelta(minutes=1))
    assert earlier.data["reminder_id"] == first.data["reminder_id"]
    assert "check the oven" in earlier.text


FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=LONDON)  # UTC in December


def test_impossible_dates_and_times_are_refused_and_nothing_is_stored(
    bot: Assistant,
) -> None:
    cases = {
        "remind me on February 30th to pay": "February has no 30th day",
        "remind me on april 31st to pay": "April has no 31st day",
        "remind me on the 32nd to pay": "No month has a 32nd day",
        "remind me on 31/31 to pay": "31/31 is not a date",
        "remind me at 25:99 to pay": "25:99 is not a valid time",
    }
    with time_machine.travel(FRIDAY, tick=False):
        for text, said in cases.items():
            reply = bot.respond(text, user="lou", now=FRIDAY)
            assert reply.skill == "reminders", text
            assert said in reply.text, (text, reply.text)
            assert "When is it for (pay)?" in reply.text, reply.text
            assert reply.data["question"] == "when"
            assert bot.reminders.upcoming("lou") == [], text
        answer = bot.respond("on the 28th of february at 9am", user="lou", now=FRIDAY)
    assert answer.data["task"] == "pay"
    assert answer.data["due"] == "2027-02-28T09:00:00+00:00"
    assert "Sunday 28 February 2027 at 09:00" in answer.text


def test_repeating_more_than_once_a_minute_is_refused(bot: Assistant) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        for text in (
            "remind me every 30 seconds to blink",
            "remind me every 1 seconds to blink",
        ):
            reply = bot.respond(text, user="max", now=FRIDAY)
            assert reply.data["error"] == "too_often", (text, reply.text)
            assert "at most once a minute" in reply.text
        assert bot.reminders.upcoming("max") == []
        every = bot.respond(
            "remind me every 5 minutes to blink", user="max", now=FRIDAY
        )
    assert every.data["recurrence"] == "every 5 minutes"


def test_an_ambiguous_numeric_date_is_asked_and_the_month_answers_it(
    bot: Assistant,
) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        question = bot.respond(
            "remind me on 5/3 to pay the bill", user="ned", now=FRIDAY
        )
        assert question.data == {"question": "numeric_date"}
        assert "5 March or 3 May" in question.text
        answer = bot.respond("march", user="ned", now=FRIDAY)
    assert answer.data["task"] == "pay the bill"
    assert answer.data["due"] == "2027-03-05T09:00:00+00:00"
    assert "Friday 5 March 2027 at 09:00" in answer.text


def test_the_list_says_the_year_of_a_date_far_ahead(bot: Assistant) -> None:
    with time_machine.travel(T, tick=False):
        bot.respond("remind me to call the bank tomorrow at 10am", user="oz", now=T)
        bot.respond("remind me on 20/12 to buy a tree", user="oz", now=T)
        bot.respond("remind me on 31/1/2027 to file taxes", user="oz", now=T)
        listed = bot.respond("what reminders do I have", user="oz", now=T)
    assert listed.intent == "reminder.list"
    assert len(listed.data["reminders"]) == 3
    assert "Wednesday 4 March at 10:00" in listed.text
    assert "Sunday 20 December 2026 at 09:00" in listed.text
    assert "Sunday 31 January 2027 at 09:00" in listed.text


@pytest.fixture
def paris_bot(home: Path) -> Iterator[Assistant]:
    bot = Assistant(home=home, config={"conversation": {"timezone": "Europe/Paris"}})
    yield bot
    bot.close()


def test_a_user_in_paris_gets_paris_time(paris_bot: Assistant) -> None:
    now = datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    reply = paris_bot.respond("remind me at 23:15 to lock the door", now=now)
    assert reply.data["due_local"] == "2026-03-03T23:15:00+01:00"
    assert reply.data["due"] == "2026-03-03T22:15:00+00:00"
    assert reply.data["zone"] == "Europe/Paris"


def test_close_stops_the_delivery_thread(home: Path) -> None:
    bot = Assistant(home=home, config={"conversation": {"timezone": "UTC"}})
    bot.reminders.start()
    assert bot.reminders.running
    service = bot.reminders
    bot.close()
    assert not service.running
