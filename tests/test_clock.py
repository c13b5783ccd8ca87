from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.config import load_settings
from assistant.intents.dataset import load_intent_data
from assistant.phrases import Phrases
from assistant.skills.base import Conversation, ParsedTurn, SkillEnv, SkillReply
from assistant.skills.clock import ClockSkill, find_zone
from assistant.storage import Database

LONDON = ZoneInfo("Europe/London")
# 29 March 2026: UK clocks go from 01:00 GMT to 02:00 BST.
BEFORE_CHANGE = datetime(2026, 3, 29, 0, 30, tzinfo=UTC).astimezone(LONDON)
AFTER_CHANGE = datetime(2026, 3, 29, 1, 30, tzinfo=UTC).astimezone(LONDON)
EVENING = datetime(2026, 3, 29, 16, 30, tzinfo=UTC).astimezone(LONDON)


@pytest.mark.parametrize(
    ("place", "zone"),
    [
        ("tokyo", "Asia/Tokyo"),
        ("Tokyo", "Asia/Tokyo"),
        ("new york", "America/New_York"),
        ("  New   York ", "America/New_York"),
        ("San Francisco", "America/Los_Angeles"),
        ("mumbai", "Asia/Kolkata"),
        ("londn", "Europe/London"),
        ("pariss", "Europe/Paris"),
    ],
)
def test_find_zone(place: str, zone: str) -> None:
    assert find_zone(place) == ZoneInfo(zone)


@pytest.mark.parametrize("place", ["atlantis", "gotham", "narnia"])
def test_find_zone_unknown_place(place: str) -> None:
    assert find_zone(place) is None


@pytest.fixture
def skill(tmp_path: Path) -> Iterator[ClockSkill]:
    database = Database(tmp_path / "a.db")
    env = SkillEnv(
        settings=load_settings(tmp_path),
        database=database,
        phrases=Phrases(),
        intents=load_intent_data(None),
    )
    yield ClockSkill(env)
    database.close()


def ask(skill: ClockSkill, text: str, now: datetime) -> SkillReply:
    turn = ParsedTurn(text=text, user="ann", intent="time.now", confidence=0.9, now=now)
    return skill.handle(turn, Conversation(user="ann"))


@pytest.mark.parametrize(
    ("now", "expected"),
    [(BEFORE_CHANGE, "00:30"), (AFTER_CHANGE, "02:30"), (EVENING, "17:30")],
    ids=["gmt", "bst", "evening"],
)
def test_time_in_the_users_zone(
    skill: ClockSkill, now: datetime, expected: str
) -> None:
    reply = ask(skill, "what time is it", now)

    assert expected in reply.text
    assert reply.data["zone"] == "Europe/London"
    assert reply.data["place"] is None
    assert datetime.fromisoformat(reply.data["iso"]) == now


@pytest.mark.parametrize(
    ("now", "expected"),
    [(BEFORE_CHANGE, "09:30"), (AFTER_CHANGE, "10:30"), (EVENING, "01:30")],
    ids=["gmt", "bst", "evening"],
)
def test_time_in_tokyo(skill: ClockSkill, now: datetime, expected: str) -> None:
    reply = ask(skill, "what time is it in tokyo", now)

    assert expected in reply.text
    assert "Tokyo" in reply.text
    assert reply.data["zone"] == "Asia/Tokyo"
    assert reply.data["place"] == "tokyo"
    assert datetime.fromisoformat(reply.data["iso"]) == now


def test_time_in_a_city_via_the_aliases(skill: ClockSkill) -> None:
    reply = ask(skill, "what's the time in san francisco please?", AFTER_CHANGE)

    # 01:30 UTC is 18:30 the day before in California (PDT, UTC-7).
    assert "18:30" in reply.text
    assert "San Francisco" in reply.text
    assert "Saturday" in reply.text
    assert reply.data["zone"] == "America/Los_Angeles"


def test_date_today(skill: ClockSkill) -> None:
    reply = ask(skill, "what's the date today", AFTER_CHANGE)

    assert "Sunday" in reply.text
    assert "March" in reply.text
    assert "29" in reply.text
    assert "02:30" not in reply.text  # a date question gets the date


def test_date_in_another_city_is_that_citys_date(skill: ClockSkill) -> None:
    reply = ask(skill, "what's the date in tokyo today", EVENING)

    # 17:30 on Sunday in London is 01:30 on Monday in Tokyo.
    assert "Monday" in reply.text
    assert "30 March" in reply.text
    assert reply.data["zone"] == "Asia/Tokyo"


def test_unknown_city_says_the_zone_is_unknown(skill: ClockSkill) -> None:
    reply = ask(skill, "what time is it in gotham", AFTER_CHANGE)

    assert "Gotham" in reply.text
    assert "don't know the time zone" in reply.text
    assert reply.data == {"place": "gotham", "zone": None}


def test_city_with_an_accent_is_found(skill: ClockSkill) -> None:
    """Asking about São Paulo must not silently answer with the local time."""
    reply = ask(skill, "what time is it in São Paulo", AFTER_CHANGE)

    # 01:30 UTC is 22:30 the day before in São Paulo (UTC-3).
    assert reply.data["zone"] == "America/Sao_Paulo"
    assert "22:30" in reply.text
