"""Reminder phrases resolved against a frozen clock, in several time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml

from assistant.skills.reminders.parse import mentioned, parse_request
from assistant.skills.reminders.recurrence import describe, next_occurrence

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "reminder_phrases.yml").read_text("utf-8")
)


def frozen_now(case: dict[str, Any]) -> datetime:
    zone = ZoneInfo(case["zone"])
    return datetime.fromisoformat(case["now"]).replace(tzinfo=zone)


@pytest.mark.parametrize("case", CASES, ids=[case["say"] for case in CASES])
def test_phrase(case: dict[str, Any]) -> None:
    with time_machine.travel(frozen_now(case), tick=False):
        now = datetime.now(ZoneInfo(case["zone"]))
        request = parse_request(case["say"], now)

    assert request.problem == case.get("problem")
    if "due" in case and case["due"] is None:
        assert request.due is None
    elif "due" in case:
        assert request.due is not None
        assert request.due.replace(tzinfo=None) == datetime.fromisoformat(case["due"])
        assert request.due > now
    if "utc" in case:
        assert request.due is not None
        assert request.due.astimezone(UTC).replace(tzinfo=None) == (
            datetime.fromisoformat(case["utc"])
        )
    if "task" in case:
        assert request.task == case["task"]
    if "rule" in case:
        assert request.recurrence is not None
        assert request.recurrence.rule == case["rule"]


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert sum(1 for case in CASES if case.get("listed")) >= 15


def test_durations_without_in_are_never_in_the_past() -> None:
    zone = ZoneInfo("Europe/London")
    now = datetime(2026, 3, 3, 23, 59, 30, tzinfo=zone)
    for phrase in ("1h20m", "20 minutes", "45 min", "2 hours", "1.5h"):
        request = parse_request(phrase, now)
        assert request.due is not None and request.due > now, phrase


def test_a_timer_is_marked_as_one() -> None:
    now = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert parse_request("set a timer for 12 minutes", now).timer
    assert not parse_request("remind me in 12 minutes to call", now).timer


def test_answers_to_the_questions_resolve_the_ambiguity() -> None:
    now = datetime(2026, 3, 3, 19, 34, tzinfo=ZoneInfo("Europe/London"))
    evening = parse_request("tomorrow at 5 call the plumber", now, prefer="pm")
    morning = parse_request("tomorrow at 5 call the plumber", now, prefer="am")
    assert evening.due is not None and evening.due.hour == 17
    assert morning.due is not None and morning.due.hour == 5
    end = parse_request("friday at midnight lock up", now, prefer="end")
    start = parse_request("friday at midnight lock up", now, prefer="start")
    assert end.due is not None and start.due is not None
    assert (end.due.day, start.due.day) == (7, 6)


def test_a_repeating_rule_keeps_local_time_across_daylight_saving() -> None:
    zone = ZoneInfo("America/New_York")
    now = datetime(2026, 3, 7, 8, 0, tzinfo=zone)
    following = next_occurrence("FREQ=DAILY", datetime(2026, 3, 7, 7, 30), now, zone)
    assert following.replace(tzinfo=None) == datetime(2026, 3, 8, 7, 30)
    assert (
        following.astimezone(UTC).hour == 11
    )  # EDT now, it was 12:30 UTC the day before


def test_a_monthly_rule_on_the_31st_falls_on_the_last_day_of_short_months() -> None:
    zone = ZoneInfo("Europe/London")
    now = datetime(2026, 4, 1, 12, 0, tzinfo=zone)
    rule = "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
    due = next_occurrence(rule, datetime(2026, 3, 31, 9, 0), now, zone)
    assert due.replace(tzinfo=None) == datetime(2026, 4, 30, 9, 0)
    assert "last day" in describe(rule, due)


def test_interval_rules_step_in_real_time_over_a_dst_change() -> None:
    zone = ZoneInfo("Europe/London")
    now = datetime(2026, 3, 29, 0, 50, tzinfo=zone)
    due = next_occurrence(
        "FREQ=HOURLY;INTERVAL=1", datetime(2026, 3, 29, 0, 30), now, zone
    )
    start = datetime(2026, 3, 29, 0, 30, tzinfo=zone).astimezone(UTC)
    assert due.astimezone(UTC) - start == timedelta(hours=1)
    assert due.replace(tzinfo=None) == datetime(2026, 3, 29, 2, 30)  # BST began


def test_describe_rules_in_words() -> None:
    due = datetime(2026, 3, 4, 7, 30, tzinfo=ZoneInfo("Europe/London"))
    assert describe("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", due) == "every weekday at 07:30"
    assert (
        describe("FREQ=MONTHLY;BYMONTHDAY=3", due)
        == "on the 3rd of every month at 07:30"
    )
    assert (
        describe("FREQ=WEEKLY;BYDAY=MO,TH", due) == "every Monday and Thursday at 07:30"
    )
    assert describe("FREQ=MINUTELY;INTERVAL=30", due) == "every 30 minutes"


def test_mentioned_finds_day_and_clock_for_lookups() -> None:
    now = datetime(2026, 3, 3, 19, 34, tzinfo=ZoneInfo("Europe/London"))
    friday = mentioned("drop all reminders for friday", now)
    assert friday.day is not None and friday.day.isoformat() == "2026-03-06"
    half_seven = mentioned("delete the 7:30 one", now)
    assert half_seven.clock is not None and (
        half_seven.clock.hour,
        half_seven.clock.minute,
    ) == (7, 30)
    assert mentioned("snooze 10 minutes", now).span == timedelta(minutes=10)


# -- impossible dates, times and repeats are refused, never read as others ----------

FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("UTC"))  # Friday 4 December

REFUSED: list[tuple[str, str, dict[str, Any], str]] = [
    # (phrase, problem, details, task)
    ("remind me on February 30th to pay", "no_such_day",
     {"month": "February", "day": 30, "year": None}, "pay"),
    ("remind me on april 31st to pay", "no_such_day",
     {"month": "April", "day": 31, "year": None}, "pay"),
    ("remind me on the 30th of february to pay", "no_such_day",
     {"month": "February", "day": 30, "year": None}, "pay"),
    ("remind me on 29 february 2027 to pay", "no_such_day",
     {"month": "February", "day": 29, "year": 2027}, "pay"),
    ("remind me on june 31 to pay", "no_such_day",
     {"month": "June", "day": 31, "year": None}, "pay"),
    ("remind me on the 32nd to pay", "no_such_day",
     {"month": None, "day": 32, "year": None}, "pay"),
    ("on the 40th of every month pay", "no_such_day",
     {"month": None, "day": 40, "year": None}, "pay"),
    ("remind me on 31/31 to x", "bad_date", {"phrase": "31/31"}, "x"),
    ("remind me on 4/31 to x", "bad_date", {"phrase": "4/31"}, "x"),
    ("remind me on 0/5 to x", "bad_date", {"phrase": "0/5"}, "x"),
    ("remind me on 29/2/2027 to x", "bad_date", {"phrase": "29/2/2027"}, "x"),
    ("remind me every 30 seconds to blink", "too_often",
     {"phrase": "every 30 seconds"}, "blink"),
    ("remind me every 1 seconds to blink", "too_often",
     {"phrase": "every 1 seconds"}, "blink"),
    ("remind me every second to blink", "too_often",
     {"phrase": "every second"}, "blink"),
    ("remind me every 0 minutes to blink", "too_often",
     {"phrase": "every 0 minutes"}, "blink"),
    ("remind me every 90 seconds to stretch", "repeat_unsupported",
     {"phrase": "every 90 seconds"}, "stretch"),
    ("remind me every 3 days to water the plants", "repeat_unsupported",
     {"phrase": "every 3 days"}, "water the plants"),
    ("remind me at 25:99 to x", "bad_time", {"phrase": "25:99"}, "x"),
    ("remind me at 23:60 to x", "bad_time", {"phrase": "23:60"}, "x"),
    ("remind me at 24:30 to x", "bad_time", {"phrase": "24:30"}, "x"),
    ("remind me at 13pm to x", "bad_time", {"phrase": "13pm"}, "x"),
    ("remind me at half past 25 to x", "bad_time", {"phrase": "half past 25"}, "x"),
    ("every friday at 24:00 lock up", "midnight_repeat", {}, "lock up"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("say", "problem", "details", "task"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_impossible_dates_times_and_repeats_are_refused(
    say: str, problem: str, details: dict[str, Any], task: str
) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        request = parse_request(say, datetime.now(ZoneInfo("UTC")))
    assert (request.problem, request.details) == (problem, details)
    assert request.due is None
    assert request.task == task


RESOLVED: list[tuple[str, str, str | None, str]] = [
    # (phrase, due (local), rule, task): near the refused ones, but valid
    ("remind me on 31/12 to x", "2026-12-31T09:00", None, "x"),
    ("remind me on 12/31 to x", "2026-12-31T09:00", None, "x"),
    ("remind me on 5/31 to x", "2027-05-31T09:00", None, "x"),
    ("remind me on 29/2 to x", "2028-02-29T09:00", None, "x"),
    ("remind me on 31/12/27 to x", "2027-12-31T09:00", None, "x"),
    ("remind me on february 28th to pay", "2027-02-28T09:00", None, "pay"),
    ("remind me on the 30th of april to pay", "2027-04-30T09:00", None, "pay"),
    ("remind me to pay 12.99 tomorrow at 5pm", "2026-12-05T17:00", None, "pay 12.99"),
    ("remind me at 24:00 to lock up", "2026-12-05T00:00", None, "lock up"),
    ("remind me tomorrow at 24:00 to lock up", "2026-12-06T00:00", None, "lock up"),
    ("every day at 24:00 lock up", "2026-12-05T00:00", "FREQ=DAILY", "lock up"),
    ("remind me every 5 minutes to blink", "2026-12-04T10:05",
     "FREQ=MINUTELY;INTERVAL=5", "blink"),
    ("remind me every 120 seconds to blink", "2026-12-04T10:02",
     "FREQ=MINUTELY;INTERVAL=2", "blink"),
    ("remind me every 1.5 hours to stretch", "2026-12-04T11:30",
     "FREQ=MINUTELY;INTERVAL=90", "stretch"),
    ("remind me every hour and a half to stretch", "2026-12-04T11:30",
     "FREQ=MINUTELY;INTERVAL=90", "stretch"),
    ("remind me every six hours to stretch", "2026-12-04T16:00",
     "FREQ=MINUTELY;INTERVAL=360", "stretch"),
    ("remind me every two hours to stretch", "2026-12-04T12:00",
     "FREQ=HOURLY;INTERVAL=2", "stretch"),
    ("every 2 days at 8am water the plants", "2026-12-05T08:00",
     "FREQ=DAILY;INTERVAL=2", "water the plants"),
    ("every second tuesday clean the filter", "2026-12-08T09:00",
     "FREQ=WEEKLY;BYDAY=TU;INTERVAL=2", "clean the filter"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("say", "due", "rule", "task"), RESOLVED, ids=[r[0] for r in RESOLVED]
)
def test_valid_dates_times_and_repeats_near_the_refused_ones(
    say: str, due: str, rule: str | None, task: str
) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        request = parse_request(say, datetime.now(ZoneInfo("UTC")))
    assert request.problem is None
    assert request.due is not None
    assert request.due.replace(tzinfo=None) == datetime.fromisoformat(due)
    assert (request.recurrence.rule if request.recurrence else None) == rule
    assert request.task == task
