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
