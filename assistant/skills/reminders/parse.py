"""Reading a reminder request: what to do and when, in the user's time zone.

The phrase is taken apart in steps, each removing what it understood, so that
what is left over is the task:

0. dates and repeats that cannot be ("February 30th", "31/31", "every 30
   seconds"): these are refused, never read as something else,
1. recurrence ("every weekday", "on the 1st of every month"),
2. relative durations ("in 1h30m", "1.5 hours", "for 12 minutes"),
3. clock times ("at 5pm", "17:30", "half past 7", "noon", "midnight"),
4. days ("today", "tomorrow", "friday", "on the 3rd"),
5. any other date, found by dateparser's ``search_dates`` ("june 12",
   "next month") on what remains.

Wall-clock times are built as naive local times and only then given the zone,
so "tomorrow at 9" is 9:00 local even across a daylight-saving change; spans
of hours or minutes are added in UTC, so "in 2 hours" is two real hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from assistant.skills.reminders.recurrence import Recurrence, find_recurrence

__all__ = [
    "MONTH_NAMES",
    "Mentioned",
    "Request",
    "localize",
    "mentioned",
    "month_named",
    "parse_request",
    "task_words",
]

DEFAULT_HOUR = 9
"""The hour of a reminder given a day but no time ("tomorrow", "on the 3rd")."""
PARTS_OF_DAY = {
    "morning": 9,
    "afternoon": 15,
    "evening": 18,
    "tonight": 20,
    "night": 20,
}

_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "forty five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
    "a couple of": 2, "a few": 3, "couple of": 2,
}  # fmt: skip
_UNITS = {
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds",
    "seconds": "seconds", "m": "minutes", "min": "minutes", "mins": "minutes",
    "minute": "minutes", "minutes": "minutes", "h": "hours", "hr": "hours",
    "hrs": "hours", "hour": "hours", "hours": "hours", "d": "days", "day": "days",
    "days": "days", "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks",
    "weeks": "weeks", "month": "months", "months": "months", "y": "years",
    "yr": "years", "yrs": "years", "year": "years", "years": "years",
}  # fmt: skip
_WORDS = "|".join(sorted(map(re.escape, _WORD_NUMBERS), key=len, reverse=True))
_UNIT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_AMOUNT = rf"(?:\d+(?:[.,]\d+)?(?:\s+and\s+a\s+half)?(?=\s*[a-z])|(?:{_WORDS})(?=\s))"
_PART = rf"(?:{_AMOUNT})\s*(?:{_UNIT})(?![a-z])"
_DURATION = re.compile(
    r"(?:\b(?:in|for|after|within)\s+(?:another\s+)?)?"
    r"(?<![\w:.,])"
    rf"(?P<span>half\s+an?\s+hour|a\s+half\s+hour|"
    rf"{_PART}(?:\s*(?:,|and)?\s*{_PART})*(?:\s+and\s+a\s+half)?)"
    rf"(?:\s+(?:from\s+now|later|time)\b)?"
)
_DURATION_PART = re.compile(
    rf"(?<![\d.,])(?P<amount>{_AMOUNT})\s*(?P<unit>{_UNIT})(?![a-z])"
)

_HOUR_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_HW = "|".join(_HOUR_WORDS)
_MINUTE_WORDS = {
    "oh five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25,
    "thirty": 30, "forty": 40, "forty five": 45, "fifty": 50, "fifty five": 55,
}  # fmt: skip
_MW = "|".join(sorted(_MINUTE_WORDS, key=len, reverse=True))
_AMPM = r"(?P<ampm>[ap]\.?\s?m\.?)(?![a-z])"
_CLOCK = re.compile(
    r"(?:(?P<at>\b(?:at|@|by|for|until|till|til)\s+)|(?<![\w:.]))"
    r"(?:(?P<rel>half|quarter|(?:\d{1,2}|twenty|ten|five)(?:\s+minutes)?)\s+"
    rf"(?P<dir>past|to|after|before)\s+(?P<rh>\d{{1,2}}|{_HW}|noon|midnight)"
    rf"(?:\s*{_AMPM})?"
    r"|(?P<named>noon|midday|midnight)"
    r"|(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?:\s*o'?clock)?"
    rf"(?:\s*{_AMPM.replace('ampm', 'ampm2')})?"
    rf"|(?P<wh>{_HW})(?:\s+(?P<wm>{_MW}))?(?:\s+o'?clock)?"
    rf"(?:\s*{_AMPM.replace('ampm', 'ampm3')})?)"
    r"(?![\w:])"
)
_WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_WEEKDAY = re.compile(
    r"\b(?:(?P<which>on|this|next|coming|this\s+coming)\s+)?"
    r"(?P<day>mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|"
    r"fri(?:day)?|sat(?:urday)?|sun(?:day)?)s?\b"
    r"(?:\s+(?P<part>morning|afternoon|evening|night))?"
)
_RELATIVE_DAY = re.compile(
    r"\b(?P<word>the\s+day\s+after\s+tomorrow|tomorrow|tomorow|tommorow|tmrw|tmr|"
    r"today|tonight|this\s+(?:morning|afternoon|evening)|yesterday|last\s+night)"
    r"(?:\s+(?P<part>morning|afternoon|evening|night))?\b"
)
_PART_OF_DAY = re.compile(r"\b(?:in\s+the\s+)?(?P<part>morning|afternoon|evening)\b")
_ORDINAL_DAY = re.compile(
    r"\b(?:on\s+)?the\s+(?P<day>[12]\d|3[01]|[1-9])(?:st|nd|rd|th)\b"
    r"(?!\s+of\s+[a-z])"
)
_NUMERIC_DATE = re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{2,4}))?\b")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH_DAY = re.compile(  # "february 30th", "the 31st of april", "30 feb 2027"
    rf"\b(?P<month>{_MONTH})\.?\s+(?:the\s+)?(?P<day>\d{{1,3}})(?:st|nd|rd|th)?"
    r"(?![\w:]|\.\d)(?!\s*(?:[ap]\.?m\b|o'?clock|h(?:ours?|rs?)?\b|min|sec))"
    r"(?:,?\s+(?P<year>\d{4})\b)?"
    r"|(?<![\w:.,/])(?:the\s+)?(?P<day2>\d{1,3})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<month2>{_MONTH})\b(?:,?\s+(?P<year2>\d{{4}})\b)?"
)
_ANY_MONTH_DAY = re.compile(  # "the 40th of every month", "on the 32nd"
    r"\b(?:(?:on|by)\s+)?the\s+(?P<day2>\d{1,3})(?:st|nd|rd|th)\s+(?:day\s+)?of\s+"
    r"(?:every|each|the|this|next)\s+month\b|"
    r"\b(?:on|by)\s+(?:the\s+)?(?P<day>\d{1,3})(?:st|nd|rd|th)\b"
)
_VAGUE = re.compile(
    r"\b(?:later|soon|sometime|some\s+time|in\s+a\s+(?:bit|while)|this\s+weekend|"
    r"at\s+the\s+weekend|next\s+week|before\s+the\s+weekend)\b"
)
_PAST = re.compile(r"\b(?:yesterday|last\s+night|ago|last\s+(?:week|month|year))\b")
_DATE_LIKE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\d|"
    r"\bnext\s+(?:month|year)\b"
)
_DATE_PHRASE = re.compile(  # what dateparser found must look like a date
    r"\d|\bnext\b|\b(?:january|february|april|june|july|august|september|october|"
    r"november|december)\b"
)
_LEADING = re.compile(
    r"^(?:(?:hey|ok|okay|please|pls|so|yo|assistant|could|can|would|will)\s+"
    r"(?:you\s+)?(?:please\s+)?)*"
)
_TRIGGERS = re.compile(
    r"\b(?:(?:set|add|create|make|start|put|new|schedule)\s+(?:up\s+)?"
    r"(?:me\s+)?(?:an?\s+)?(?:new\s+)?(?:recurring\s+|daily\s+)?"
    r"(?:reminder|alarm|timer|countdown)s?(?:\s+(?:called|named))?|"
    r"(?:remind|ping|nudge|alert|tell|wake|get|notify)\s+me(?:\s+up)?|"
    r"(?:don'?t|do\s+not)\s+let\s+me\s+forget|give\s+me\s+a\s+(?:shout|nudge)|"
    r"remember\s+to\s+remind\s+me|i\s+need\s+a\s+reminder|(?:a\s+)?reminder|"
    r"(?:an\s+)?alarm|(?:a\s+)?timer|countdown)\b"
)
_EDGE_WORDS = re.compile(
    r"^(?:(?:to|about|that|of|for|at|on|and|in|please|me|i\s+need\s+to|"
    r"i\s+have\s+to|i\s+should|so\s+i\s+can|up)\b[\s,:;-]*)+|"
    r"(?:[\s,:;-]+\b(?:to|about|that|of|for|at|on|and|in|please|every|by|the|"
    r"from\s+now)\b)+$"
)


@dataclass(frozen=True, slots=True)
class Request:
    """What a reminder request says, resolved against the current time.

    Attributes:
        task: what to remind of; empty when the phrase names nothing.
        due: the first time it is due, aware, in the user's zone; ``None`` when
            the phrase gives no time.
        recurrence: how it repeats, or ``None`` for a one-off.
        problem: why it cannot be set as said, or ``None``: asked about
            (``vague``, ``ampm``, ``midnight_day``, ``numeric_date``), a time
            that cannot be (``past``, ``too_far``, ``no_such_day``,
            ``bad_date``, ``bad_time``, ``midnight_repeat``) or a repeat that
            cannot be kept (``too_often``, ``repeat_unsupported``).
        details: values for the message that explains ``problem``.
        timer: the phrase asked for a timer or an alarm rather than a reminder.
    """

    task: str
    due: datetime | None
    recurrence: Recurrence | None = None
    problem: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    timer: bool = False


@dataclass(slots=True)
class _Found:
    """What the steps have understood so far."""

    text: str
    now: datetime
    wall: time | None = None
    bare_hour: bool = False
    day: date | None = None
    day_given: str | None = None
    part: str | None = None
    delta: timedelta | None = None
    wall_delta: dict[str, float] = field(default_factory=dict)
    named: str | None = None
    end_of_day: bool = False
    """The time was said as 24:00: midnight at the end of the day."""
    problem: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    prefer: str | None = None
    """The answer to a question asked before: ``am``, ``pm``, ``start``, ``end``."""

    def cut(self, match: re.Match[str]) -> None:
        start, end = match.span()
        self.text = f"{self.text[:start]} {self.text[end:]}"


@dataclass(frozen=True, slots=True)
class Mentioned:
    """The day, clock time and span a phrase mentions, unresolved ("the 7:30 one")."""

    day: date | None
    clock: time | None
    span: timedelta | None
    rest: str
    """The words left once those are taken out."""


def mentioned(text: str, now: datetime) -> Mentioned:
    """What ``text`` says about a time, for finding or snoozing reminders."""
    found = _Found(" ".join(text.lower().split()), now)
    _find_duration(found)
    _find_clock(found)
    _find_day(found)
    if found.day is None and found.problem is None:
        _find_other_date(found)
    return Mentioned(found.day, found.wall, found.delta, " ".join(found.text.split()))


def parse_request(
    text: str, now: datetime, *, max_years: int = 10, prefer: str | None = None
) -> Request:
    """Read ``text`` as a reminder request made at ``now`` (aware, user's zone).

    Args:
        text: the user's words.
        now: the current time in the user's zone.
        max_years: a reminder further ahead than this is refused as absurd.
    """
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    timer = bool(re.search(r"\b(?:timer|alarm|countdown|wake)\b", lowered))
    found = _Found(lowered, now, prefer=prefer)
    _find_impossible_date(found)
    if found.problem is None:
        _find_repeat_span(found)
    recurrence = find_recurrence(found, now) if found.problem is None else None
    if found.problem is None:
        _find_duration(found)
        _find_clock(found)
        _find_day(found)
        _find_other_date(found)
    task = task_words(found.text)
    if found.problem is not None:
        return Request(task, None, recurrence, found.problem, found.details, timer)
    if recurrence is not None:
        if found.end_of_day and recurrence.rule != "FREQ=DAILY":
            # 24:00 on a repeating day is 00:00 on the day after; say it so
            return Request(task, None, recurrence, "midnight_repeat", {}, timer)
        if found.bare_hour and found.prefer in ("am", "pm"):
            found.part = "morning" if found.prefer == "am" else "evening"
        elif found.bare_hour and found.wall and found.wall.hour <= 6 and not found.part:
            details = {"wall": found.wall, "day": None}
            return Request(task, None, recurrence, "ampm", details, timer)
        return Request(task, recurrence.first(found, now), recurrence, timer=timer)
    due, problem, details = _resolve(found, lowered, max_years)
    return Request(task, due, None, problem, details, timer)


def month_named(text: str) -> int | None:
    """The month (1-12) ``text`` names ("march", "in Sept."), or None."""
    match = re.search(rf"\b{_MONTH}\b", text.lower())
    if match is None:
        return None
    return next(
        i for i, m in enumerate(MONTH_NAMES, 1) if m.lower()[:3] == match[0][:3]
    )


def localize(wall: datetime, zone: tzinfo) -> datetime:
    """Give a naive local wall time its zone; a time skipped by a DST change
    moves forward by the change (01:30 on a spring-forward night is 02:30)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


# -- steps ---------------------------------------------------------------------


def _find_impossible_date(found: _Found) -> None:
    """Refuse a day no month has: "February 30th", "April 31st", "the 32nd".

    Left alone, dateparser reads these as something else ("February 30th"
    becomes the 4th of February with "30th" in the task).
    """
    for match in _MONTH_DAY.finditer(found.text):
        day = int(match.group("day") or match.group("day2"))
        name = match.group("month") or match.group("month2")
        year_text = match.group("year") or match.group("year2")
        month = month_named(name) or 0
        year = int(year_text) if year_text else None
        if 1 <= day <= _days_in(month, year):
            continue
        found.problem = "no_such_day"
        found.details = {"month": MONTH_NAMES[month - 1], "day": day, "year": year}
        found.cut(match)
        return
    for match in _ANY_MONTH_DAY.finditer(found.text):
        day = int(match.group("day") or match.group("day2"))
        if 1 <= day <= 31:
            continue
        found.problem = "no_such_day"
        found.details = {"month": None, "day": day, "year": None}
        found.cut(match)
        return


def _days_in(month: int, year: int | None) -> int:
    """The days of ``month``; February has 29 when no year is said."""
    if month == 2:
        leap = year is None or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


_EVERY_SPAN = re.compile(
    r"\b(?:every|each)\s+"
    r"(?P<span>half\s+(?:an?\s+)?hour|(?:an?\s+)?(?:hour|minute)\s+and\s+a\s+half|"
    rf"{_PART}(?:\s*(?:,|and)?\s*{_PART})*"
    r"(?:\s+and\s+a\s+half)?|"
    r"(?:second|sec)(?=\s+(?:to|about|that|remind)\b|\s*$|\s*[,.!?]))"
)
_CALENDAR_REPEATS: dict[tuple[str, float], str] = {
    ("days", 1): "every day",
    ("days", 2): "every other day",
    ("weeks", 1): "every week",
    ("weeks", 2): "every other week",
    ("months", 1): "every month",
}
_PLAIN_INTERVAL = re.compile(  # what the recurrence patterns read as they are
    rf"(?:\d+|an?|one|two|three|four|five|ten|fifteen|twenty|thirty)\s*(?:{_UNIT})"
)
_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600}
_LONGEST_INTERVAL = 31 * 24 * 3600
"""The longest repeat kept in minutes or hours (a step in real time)."""


def _find_repeat_span(found: _Found) -> None:
    """A repeat said as a span ("every 30 seconds", "every 1.5 hours", "every 2
    days"): put in the words the recurrence patterns read, or refused.

    Without this, "every 30 seconds" became a one-off in 30 seconds.
    """
    match = _EVERY_SPAN.search(found.text)
    if match is None:
        return
    span = match.group("span")
    parts = [
        (_amount(part.group("amount")), _UNITS[part.group("unit")])
        for part in _DURATION_PART.finditer(span)
    ]
    if span.startswith("half"):
        parts = [(30.0, "minutes")]
    elif not parts:  # "every second", "every hour and a half"
        unit = next((u for u in ("hour", "minute") if u in span), "second")
        parts = [(1.0, f"{unit}s")]
    if span.endswith("and a half") and not re.search(r"\d\s+and a half$", span):
        parts.append((0.5, parts[-1][1]))
    plain = len(parts) == 1 and _PLAIN_INTERVAL.fullmatch(span) is not None
    phrase = " ".join(match.group(0).split())
    start, end = match.span()
    if any(unit not in _SECONDS for _, unit in parts):
        amount, unit = parts[0]
        words = _CALENDAR_REPEATS.get((unit, amount))
        if len(parts) == 1 and words is not None:
            found.text = f"{found.text[:start]}{words}{found.text[end:]}"
            return
        found.problem, found.details = "repeat_unsupported", {"phrase": phrase}
        found.cut(match)
        return
    seconds = sum(amount * _SECONDS[unit] for amount, unit in parts)
    if seconds < 60:
        found.problem, found.details = "too_often", {"phrase": phrase}
    elif seconds % 60 or seconds > _LONGEST_INTERVAL:
        found.problem, found.details = "repeat_unsupported", {"phrase": phrase}
    elif plain and parts[0][1] != "seconds":
        return  # "every 5 minutes", "every 2 hours": read as they are
    else:
        words = f"every {int(seconds // 60)} minutes"
        found.text = f"{found.text[:start]}{words}{found.text[end:]}"
        return
    found.cut(match)


def _find_duration(found: _Found) -> None:
    match = _DURATION.search(found.text)
    if match is None:
        return
    span = match.group("span")
    if span.startswith(("half", "a half")):
        found.delta = timedelta(minutes=30)
        found.cut(match)
        return
    try:
        _add_span(found, span)
    except OverflowError:  # "in 99999999999 hours"
        found.problem = "too_far"
    found.cut(match)


def _add_span(found: _Found, span: str) -> None:
    delta = timedelta()
    for part in _DURATION_PART.finditer(span):
        amount = _amount(part.group("amount"))
        unit = _UNITS[part.group("unit")]
        if unit in ("months", "years", "days", "weeks"):
            found.wall_delta[unit] = found.wall_delta.get(unit, 0) + amount
        else:
            delta += timedelta(**{unit: amount})
    if span.endswith("and a half") and not re.search(r"\d\s+and a half$", span):
        last = list(_DURATION_PART.finditer(span))[-1]
        unit = _UNITS[last.group("unit")]
        if unit in ("months", "years", "days", "weeks"):
            found.wall_delta[unit] = found.wall_delta.get(unit, 0) + 0.5
        else:
            delta += timedelta(**{unit: 0.5})
    found.delta = delta


def _amount(text: str) -> float:
    text = text.strip()
    half = 0.5 if text.endswith("and a half") else 0.0
    number = text.removesuffix("and a half").strip()
    if number in _WORD_NUMBERS:
        return _WORD_NUMBERS[number] + half
    return float(number.replace(",", ".")) + half


def _find_clock(found: _Found) -> None:
    for match in _CLOCK.finditer(found.text):
        said = _said_clock(match)
        if said is not None and _impossible_clock(match):
            found.problem, found.details = "bad_time", {"phrase": said}
            found.cut(match)
            return
        if said is not None and match.group("h") == "24":  # 24:00
            found.wall, found.bare_hour, found.named = time(0), False, "midnight"
            found.end_of_day = True
            found.cut(match)
            return
        clock = _clock(match)
        if clock is None:
            continue
        found.wall, found.bare_hour, found.named = clock
        found.cut(match)
        return


def _said_clock(match: re.Match[str]) -> str | None:
    """The words of a match that is plainly meant as a clock time ("25:99",
    "at 9.75", "13pm", "half past 25"), valid or not; None for a bare number
    or a price ("12.99")."""
    groups = match.groupdict()
    ampm = groups["ampm"] or groups["ampm2"] or groups["ampm3"]
    colon = groups["m"] is not None and ":" in match.group(0)
    at_with_minutes = groups["at"] and groups["m"]
    if not (groups["rel"] or (groups["h"] and (colon or ampm or at_with_minutes))):
        return None
    start = match.end("at") if groups["at"] else match.start()
    return match.string[start : match.end()].strip()


def _impossible_clock(match: re.Match[str]) -> bool:
    """A clock time no day has: hour over 24, minutes over 59, "13pm"."""
    groups = match.groupdict()
    if groups["rel"]:
        return _hour(groups["rh"]) > 24
    ampm = groups["ampm"] or groups["ampm2"] or groups["ampm3"]
    hour, minutes = int(groups["h"]), int(groups["m"] or 0)
    if ampm:
        return not 1 <= hour <= 12 or minutes > 59
    return hour > 24 or minutes > 59 or (hour == 24 and minutes > 0)


def _clock(match: re.Match[str]) -> tuple[time, bool, str | None] | None:
    """(wall time, whether am/pm is open, named time) or None for a plain number."""
    groups = match.groupdict()
    ampm = groups["ampm"] or groups["ampm2"] or groups["ampm3"]
    if groups["named"]:
        named = "midnight" if groups["named"] == "midnight" else "noon"
        return (time(0) if named == "midnight" else time(12)), False, named
    if groups["rel"]:
        hour = _hour(groups["rh"])
        rel = groups["rel"].split()[0]
        minutes = {"half": 30, "quarter": 15}.get(rel) or _WORD_NUMBERS.get(rel)
        minutes = int(minutes or rel)
        if not 0 < minutes < 60:
            return None
        if groups["dir"] in ("to", "before"):
            hour, minutes = (hour - 1) % 24, 60 - minutes
        return _with_ampm(hour, minutes, ampm, groups["rh"] in ("noon", "midnight"))
    if groups["wh"]:
        if not groups["at"] and not ampm and not groups["wm"]:
            return None
        minutes = _MINUTE_WORDS.get(groups["wm"] or "", 0)
        return _with_ampm(_HOUR_WORDS[groups["wh"]], minutes, ampm, False)
    hour, minutes = int(groups["h"]), int(groups["m"] or 0)
    if not (groups["at"] or ampm or groups["m"]):
        return None
    if hour > 23 or minutes > 59 or (ampm and not 1 <= hour <= 12):
        return None
    if groups["h"].startswith("0") or hour >= 13 or hour == 0:
        return time(hour, minutes), False, None
    return _with_ampm(hour, minutes, ampm, False)


def _hour(text: str) -> int:
    if text in ("noon", "midnight"):
        return 12 if text == "noon" else 0
    return _HOUR_WORDS.get(text) or int(text)


def _with_ampm(
    hour: int, minutes: int, ampm: str | None, fixed: bool
) -> tuple[time, bool, str | None]:
    if fixed:
        return time(hour % 24, minutes), False, None
    if ampm:
        pm = ampm.startswith("p")
        return time(hour % 12 + (12 if pm else 0), minutes), False, None
    return time(hour % 24, minutes), hour <= 12 and hour != 0, None


def _find_day(found: _Found) -> None:
    today = found.now.date()
    match = _RELATIVE_DAY.search(found.text)
    if match:
        word = " ".join(match.group("word").split())
        if word in ("yesterday", "last night"):
            found.problem = "past"
            return
        found.part = match.group("part") or (word.split()[-1] if " " in word else None)
        if word.startswith("this "):
            found.part = word.split()[1]
        if word == "tonight":
            found.part = "tonight"
        same_day = word in ("today", "tonight") or word.startswith("this")
        offset = 2 if "after" in word else 0 if same_day else 1
        found.day = today + timedelta(days=offset)
        found.day_given = "today" if offset == 0 else "other"
        found.cut(match)
    match = next((m for m in _WEEKDAY.finditer(found.text) if _is_weekday(m)), None)
    if match and found.day is None:
        target = _weekday_index(match.group("day"))
        ahead = (target - today.weekday()) % 7
        if ahead == 0 and match.group("which") and "next" in match.group("which"):
            ahead = 7
        found.day = today + timedelta(days=ahead)
        found.day_given = "weekday"
        found.part = match.group("part") or found.part
        found.cut(match)
    match = _ORDINAL_DAY.search(found.text)
    if match and found.day is None:
        found.day = _next_day_of_month(today, int(match.group("day")))
        found.day_given = "month_day"
        found.cut(match)
    match = _PART_OF_DAY.search(found.text)
    if match and found.part is None:
        found.part = match.group("part")
        found.cut(match)


def _is_weekday(match: re.Match[str]) -> bool:
    """A full day name, or a short one after "on"/"next" ("sun cream" is not)."""
    return match.group("day") in _WEEKDAYS or match.group("which") is not None


def _weekday_index(name: str) -> int:
    return next(i for i, day in enumerate(_WEEKDAYS) if day.startswith(name[:3]))


def _next_day_of_month(today: date, day: int) -> date:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise ValueError(f"No month has a day {day}")


def _find_other_date(found: _Found) -> None:
    if _PAST.search(found.text):
        found.problem = "past"
        return
    numeric = _NUMERIC_DATE.search(found.text)
    if numeric and found.day is None:
        readings = _numeric_readings(numeric, found.now.date())
        if not readings:  # "31/31", "4/31": not a day either way
            found.problem = "bad_date"
            found.details = {"phrase": numeric.group(0)}
            found.cut(numeric)
            return
        if len(readings) > 1:
            found.problem = "numeric_date"
            found.details = {"phrase": numeric.group(0)}
            return
        found.day = readings[0]
        found.day_given = "other" if found.day != found.now.date() else "today"
        found.cut(numeric)
        return
    if found.day is not None or not _DATE_LIKE.search(found.text):
        return
    from dateparser.search import search_dates

    base = found.now.replace(tzinfo=None)
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base}
    hits = search_dates(found.text, languages=["en"], settings=settings)
    for phrase, when in hits or []:
        if not _DATE_PHRASE.search(phrase) or re.fullmatch(r"[\d\s.:,]+", phrase):
            continue
        found.day = when.date()
        found.day_given = "other" if found.day != found.now.date() else "today"
        if found.wall is None and when.time() != base.time() and when.time() != time():
            found.wall = when.time()
        found.text = found.text.replace(phrase, " ", 1)
        return


def _numeric_readings(match: re.Match[str], today: date) -> list[date]:
    """The days "5/31" can be, read as day/month and as month/day.

    Without a year, the next such day from today (a 29 February in the next
    leap year); a two-digit year is in this century.
    """
    first, second = int(match.group("a")), int(match.group("b"))
    year_text = match.group("y")
    year = None
    if year_text is not None:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    readings: list[date] = []
    for day, month in ((first, second), (second, first)):
        if not (1 <= month <= 12 and 1 <= day <= _days_in(month, year)):
            continue
        reading = _next_date(today, month, day) if year is None else None
        if year is not None:
            try:
                reading = date(year, month, day)
            except ValueError:  # a three-digit year
                continue
        if reading is not None and reading not in readings:
            readings.append(reading)
    return readings


def _next_date(today: date, month: int, day: int) -> date | None:
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February in a common year
            continue
        if candidate >= today:
            return candidate
    return None


# -- resolving -------------------------------------------------------------------


def _resolve(
    found: _Found, lowered: str, max_years: int
) -> tuple[datetime | None, str | None, dict[str, Any]]:
    """The due time the steps describe, or the problem with it."""
    now = found.now
    zone = now.tzinfo
    if zone is None:
        raise ValueError("now must be timezone-aware")
    nothing = found.delta is None and not found.wall_delta and found.wall is None
    if nothing and found.day is None and found.part is None:
        return None, "vague" if _VAGUE.search(lowered) else None, {}
    if found.delta is not None or found.wall_delta:
        due = _after(found, now)
    elif found.end_of_day:  # 24:00: the midnight that ends the day
        day = found.day or now.date()
        due = localize(datetime.combine(day + timedelta(days=1), time()), zone)
    elif found.named == "midnight" and found.day and found.day_given != "today":
        if found.prefer not in ("start", "end"):
            return None, "midnight_day", {"day": found.day}
        extra = timedelta(days=1 if found.prefer == "end" else 0)
        due = localize(datetime.combine(found.day + extra, time()), zone)
    else:
        due_or_problem = _at_wall_time(found, now, "wake" in lowered)
        if isinstance(due_or_problem, str):
            return None, due_or_problem, {"wall": found.wall, "day": found.day}
        due = due_or_problem
    if due is None:
        return None, "too_far", {"years": max_years}
    if due <= now:
        return None, "past", {}
    if due - now > timedelta(days=365.25 * max_years):
        return None, "too_far", {"years": max_years}
    return due, None, {}


def _after(found: _Found, now: datetime) -> datetime | None:
    from dateutil.relativedelta import relativedelta

    zone = now.tzinfo
    assert zone is not None  # checked by the caller
    try:
        wall = now.replace(tzinfo=None)
        if found.wall_delta:
            days = found.wall_delta.get("days", 0) + 7 * found.wall_delta.get(
                "weeks", 0
            )
            years = found.wall_delta.get("years", 0)
            months = found.wall_delta.get("months", 0) + 12 * years
            whole_months = int(months)
            wall += relativedelta(months=whole_months) + timedelta(
                days=days + 30.44 * (months - whole_months)
            )
            if found.wall is not None:
                wall = datetime.combine(wall.date(), found.wall)
                if found.end_of_day:
                    wall += timedelta(days=1)
        moved = localize(wall, zone)
        return (moved.astimezone(UTC) + (found.delta or timedelta())).astimezone(zone)
    except (OverflowError, ValueError):
        return None


def _at_wall_time(found: _Found, now: datetime, wake: bool) -> datetime | str:
    """A wall-clock time on a day; the open hour of "at 5" picked by the rules."""
    zone = now.tzinfo
    assert zone is not None
    wall = found.wall
    part = found.part
    if wall is None:
        wall = time(PARTS_OF_DAY.get(part or "", DEFAULT_HOUR))
        found.bare_hour = False
    candidates = [wall]
    if found.bare_hour and found.prefer in ("am", "pm"):
        part = "morning" if found.prefer == "am" else "evening"
    if found.bare_hour:
        if part in ("afternoon", "evening", "tonight", "night") and wall.hour < 12:
            candidates = [wall.replace(hour=wall.hour + 12)]
        elif part == "morning" or wake:
            candidates = [wall.replace(hour=wall.hour % 12)]
        elif found.day_given in ("other", "weekday", "month_day"):
            if wall.hour <= 6:
                return "ampm"
            candidates = [wall.replace(hour=wall.hour % 12 if wall.hour < 12 else 12)]
        else:
            other = (wall.hour + 12) % 24
            candidates = [wall, wall.replace(hour=other)]
    days = [found.day] if found.day else [now.date(), now.date() + timedelta(days=1)]
    options = [
        localize(datetime.combine(day, clock), zone)
        for day in days
        for clock in candidates
    ]
    future = sorted(option for option in options if option > now)
    if found.named == "midnight" and found.day is None:
        return localize(datetime.combine(now.date() + timedelta(days=1), time()), zone)
    if future:
        return future[0]
    if found.day is not None and found.day_given in ("weekday", "month_day"):
        if found.day_given == "weekday":
            later = found.day + timedelta(days=7)
        else:
            later = _next_day_of_month(found.day + timedelta(days=1), found.day.day)
        return localize(datetime.combine(later, candidates[0]), zone)
    return min(options)


def task_words(text: str) -> str:
    text = _LEADING.sub("", text.strip(" ,.!?:;-"))
    text = _TRIGGERS.sub(" ", text, count=1)
    text = " ".join(text.split()).strip(" ,.!?:;-")
    for _ in range(3):
        text = _EDGE_WORDS.sub("", text).strip(" ,.!?:;-\"'")
    return text
