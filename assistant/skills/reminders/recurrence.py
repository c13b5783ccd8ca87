"""Repeating reminders: the phrase, the dateutil rule and its next occurrence.

A rule is an RFC 5545 ``RRULE`` body (``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR``)
applied to *local wall time* from an anchor, so a daily 7:30 reminder stays at
7:30 local across daylight-saving changes. Rules in minutes or hours step in
real (UTC) time instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from assistant.skills.reminders.parse import _Found

__all__ = ["Recurrence", "find_recurrence", "next_occurrence", "ordinal"]

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_EVERY = r"(?:every|each)"
_ORDINAL = r"(?P<dom>[12]\d|3[01]|[1-9])(?:st|nd|rd|th)"
_ALONE = r"(?=\s+(?:on|at|from|for|to|reminders?|alarms?)\b|\s*$|\s*[,.!?])"
_WORD_ORDINALS = {"first": 1, "second": 2, "third": 3, "fifteenth": 15}

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("last_day", re.compile(
        rf"\b(?:on\s+)?the\s+last\s+day\s+of\s+(?:the|every|each)\s+month\b|"
        rf"\b{_EVERY}\s+month\s+on\s+the\s+last\s+day\b")),
    ("monthly", re.compile(
        rf"\b(?:on\s+)?(?:the\s+)?(?:{_ORDINAL}|(?P<word>first|second|third|fifteenth))"
        rf"\s+(?:day\s+)?of\s+(?:every|each|the)\s+month\b|"
        rf"\b(?:{_EVERY}\s+month|monthly)\s+on\s+the\s+"
        rf"(?:{_ORDINAL.replace('dom', 'dom2')})\b|"
        rf"\b{_EVERY}\s+month\b|\bmonthly{_ALONE}")),
    ("interval", re.compile(
        rf"\b{_EVERY}\s+(?P<n>\d+|a|an|one|two|three|four|five|ten|fifteen|twenty|thirty)?"
        r"\s*(?P<unit>minutes?|mins?|hours?|hrs?)\b|\bhourly{_ALONE}")),
    ("weekdays", re.compile(
        rf"\b(?:{_EVERY}\s+weekday|(?:on\s+)?weekdays|{_EVERY}\s+work\s*day|"
        rf"monday\s+to\s+friday)\b")),
    ("weekends", re.compile(rf"\b(?:{_EVERY}\s+weekend|(?:on\s+)?weekends)\b")),
    ("days", re.compile(
        rf"\b{_EVERY}\s+(?P<other>(?:other|second)\s+)?(?P<days>{_DAY}(?:\s*(?:,|and|&)\s*{_DAY})*)\b|"
        rf"\bon\s+(?P<plural>(?:mon|tues|wednes|thurs|fri|satur|sun)days)\b")),
    ("weekly", re.compile(
        rf"\b(?:{_EVERY}\s+(?P<other>(?:other|second)\s+)?week\b|weekly{_ALONE})")),
    ("daily", re.compile(
        rf"\b(?:{_EVERY}\s+(?P<other>(?:other|second)\s+)?(?:day|morning|evening|night)\b|"
        rf"daily{_ALONE}|everyday\b)")),
)  # fmt: skip
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
            "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30}  # fmt: skip


class _Clock(Protocol):
    wall: time | None
    part: str | None


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How a reminder repeats.

    Attributes:
        rule: the RRULE body, e.g. ``FREQ=DAILY``.
        kind: which phrase made it (``daily``, ``weekdays``, ``monthly``...).
    """

    rule: str
    kind: str

    def first(self, found: _Found, now: datetime) -> datetime:
        """The first occurrence after ``now``, at the time of day ``found`` names."""
        from assistant.skills.reminders.parse import DEFAULT_HOUR, PARTS_OF_DAY

        zone = now.tzinfo
        assert zone is not None  # the parser only passes aware times
        if self.is_interval:
            return next_occurrence(self.rule, now.replace(tzinfo=None), now, zone)
        wall = found.wall or time(PARTS_OF_DAY.get(found.part or "", DEFAULT_HOUR))
        if found.bare_hour and found.part in ("afternoon", "evening", "night"):
            wall = wall.replace(hour=wall.hour % 12 + 12)
        start = datetime.combine(found.day or now.date(), wall)
        plain = "BYDAY" not in self.rule and "BYMONTHDAY" not in self.rule
        if plain and found.day is None and "WEEKLY" in self.rule:
            start = datetime.combine(now.date(), wall)
        anchor = start - timedelta(seconds=1)
        single = self.rule.replace(";INTERVAL=2", "")
        return next_occurrence(single, anchor, now, zone, dtstart=start)

    @property
    def is_interval(self) -> bool:
        return "FREQ=MINUTELY" in self.rule or "FREQ=HOURLY" in self.rule

    def describe(self, due: datetime) -> str:
        """The rule in words, with the time of day of ``due``."""
        return describe(self.rule, due)


def find_recurrence(found: _Found, now: datetime) -> Recurrence | None:
    """Take a repetition phrase out of ``found.text``; None when there is none."""
    for kind, pattern in _PATTERNS:
        match = pattern.search(found.text)
        if match is None:
            continue
        rule = _rule(kind, match, now)
        if rule is None:
            continue
        found.cut(match)
        return Recurrence(rule, kind)
    return None


def _rule(kind: str, match: re.Match[str], now: datetime) -> str | None:
    groups = match.groupdict()
    every = ";INTERVAL=2" if groups.get("other") else ""
    if kind == "last_day":
        return "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
    if kind == "monthly":
        day = groups.get("dom") or groups.get("dom2")
        number = int(day) if day else _WORD_ORDINALS.get(groups.get("word") or "")
        return _monthly(number or now.day)
    if kind == "interval":
        unit = (groups.get("unit") or "hour")[0]
        amount = _NUMBERS.get(groups.get("n") or "a") or int(groups.get("n") or 1)
        if amount < 1:  # "every 0 minutes" would never move on
            return None
        return f"FREQ={'HOURLY' if unit == 'h' else 'MINUTELY'};INTERVAL={amount}"
    if kind == "weekdays":
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if kind == "weekends":
        return "FREQ=WEEKLY;BYDAY=SA,SU"
    if kind == "days":
        text = groups.get("days") or groups.get("plural") or ""
        codes = sorted(
            {d[:2].upper() for d in re.findall(_DAY, text)}, key=_DAY_CODES.index
        )
        return f"FREQ=WEEKLY;BYDAY={','.join(codes)}{every}" if codes else None
    if kind == "weekly":
        return f"FREQ=WEEKLY{every}"
    return f"FREQ=DAILY{every}"


def _monthly(day: int) -> str:
    if day <= 28:
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    days = ",".join(str(d) for d in range(28, day + 1))
    return f"FREQ=MONTHLY;BYMONTHDAY={days};BYSETPOS=-1"  # the day, or the month's last


def next_occurrence(
    rule: str,
    after: datetime,
    now: datetime,
    zone: tzinfo,
    *,
    dtstart: datetime | None = None,
) -> datetime:
    """The first occurrence of ``rule`` later than both ``after`` and ``now``.

    Args:
        rule: the RRULE body.
        after: the previous occurrence, naive local wall time (the anchor).
        now: the current time, aware.
        zone: the zone the wall times are in.
        dtstart: where the rule starts counting (default: ``after``).
    """
    from dateutil.rrule import rrulestr

    from assistant.skills.reminders.parse import localize

    if "FREQ=MINUTELY" in rule or "FREQ=HOURLY" in rule:
        step = _interval(rule)
        due = localize(after, zone).astimezone(UTC)
        while due <= now:
            due += step
        return due.astimezone(zone)
    start = dtstart or after
    rrule = rrulestr(rule, dtstart=start)
    floor = max(after, now.astimezone(zone).replace(tzinfo=None) - timedelta(hours=3))
    while True:
        wall = rrule.after(floor)
        if wall is None:
            raise ValueError(f"The rule {rule} has no occurrence after {floor}")
        due = localize(wall, zone)
        if due > now:
            return due
        floor = wall


def _interval(rule: str) -> timedelta:
    amount = int(re.search(r"INTERVAL=(\d+)", rule).group(1))  # type: ignore[union-attr]
    return timedelta(hours=amount) if "HOURLY" in rule else timedelta(minutes=amount)


def describe(rule: str, due: datetime) -> str:
    """Words for a rule: "every weekday at 07:30", "on the 3rd of every month"."""
    at = f"at {due:%H:%M}"
    if "MINUTELY" in rule or "HOURLY" in rule:
        amount = _interval(rule)
        minutes = int(amount.total_seconds() // 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return "every hour" if hours == 1 else f"every {hours} hours"
        return f"every {minutes} minutes"
    other = "INTERVAL=2" in rule
    if "BYSETPOS=-1" in rule and "BYMONTHDAY=28,29,30,31" in rule:
        return f"on the last day of every month {at}"
    if "MONTHLY" in rule:
        day = re.search(r"BYMONTHDAY=([\d,]+)", rule)
        number = int(day.group(1).split(",")[-1]) if day else due.day
        extra = " (or the month's last day)" if number > 28 else ""
        return f"on the {ordinal(number)} of every month{extra} {at}"
    days = re.search(r"BYDAY=([A-Z,]+)", rule)
    if days:
        codes = days.group(1).split(",")
        if codes == ["MO", "TU", "WE", "TH", "FR"]:
            return f"every weekday {at}"
        if codes == ["SA", "SU"]:
            return f"every weekend day {at}"
        names = [_DAY_NAMES[_DAY_CODES.index(code)] for code in codes]
        joined = (
            names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        )
        return f"every {'other ' if other else ''}{joined} {at}"
    if "WEEKLY" in rule:
        return f"every {'other ' if other else ''}{due:%A} {at}"
    return f"every {'other ' if other else ''}day {at}"


def ordinal(number: int) -> str:
    """ "1st", "22nd", "30th"."""
    suffix = (
        "th"
        if 10 <= number % 100 <= 20
        else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"
