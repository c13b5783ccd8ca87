"""``time.now``: the current time and date, here or in another city."""

from __future__ import annotations

import re
import zoneinfo
from datetime import tzinfo
from functools import cache
from importlib import resources

import yaml
from rapidfuzz import fuzz, process

from assistant.skills.base import Conversation, ParsedTurn, Skill, SkillReply

__all__ = ["ClockSkill", "find_zone"]

_PLACE = re.compile(
    r"\b(?:in|at|for|of)\s+(?:the\s+)?(?P<place>[^\W\d_](?:[^\W\d_]|[ .,'-])*?)"
    r"(?:\s+(?:right now|now|today|currently|at the moment|please))*\s*[?.!]*$"
)
_DATE_WORDS = re.compile(r"\b(date|day|today|year|month|week|weekday)\b")
_NOT_PLACES = frozenset(
    {"the moment", "moment", "the world", "here", "my place", "home", "me", "us", "you"}
)
_REGIONS = (
    "Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/",
    "Europe/", "Indian/", "Pacific/",
)  # fmt: skip


class ClockSkill(Skill):
    """Tells the time and date in the user's zone or in a named city."""

    name = "clock"
    intents = ("time.now",)
    summary = "tell the time and date, here or in another city"

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        lowered = turn.text.lower()
        place = _place_in(lowered)
        zone: tzinfo | None = turn.now.tzinfo
        if place:
            zone = find_zone(place)
            if zone is None:
                return SkillReply(
                    self.env.phrases.say("time_unknown_place", place=place.title()),
                    {"place": place, "zone": None},
                )
        local = turn.now.astimezone(zone)
        values = {
            "time": local.strftime("%H:%M"),
            "date": f"{local:%A} {local.day} {local:%B %Y}",
            "place": place.title() if place else "",
            "zone": local.tzname() or "",
        }
        wants_date = bool(_DATE_WORDS.search(lowered)) and "time" not in lowered
        key = "date_now" if wants_date else "time_now"
        if place:
            key += "_place"
        data = {"iso": local.isoformat(), "zone": str(zone), "place": place or None}
        return SkillReply(self.env.phrases.say(key, **values), data)


def _place_in(text: str) -> str | None:
    match = _PLACE.search(text.strip())
    if not match:
        return None
    place = match.group("place").strip(" .,'-")
    place = place.split(",")[0].strip()  # "tokyo, japan" -> "tokyo"
    if not place or place in _NOT_PLACES or _DATE_WORDS.fullmatch(place):
        return None
    return place


def find_zone(place: str) -> zoneinfo.ZoneInfo | None:
    """The time zone of a city or country name, forgiving small typos."""
    names = _zone_names()
    key = " ".join(place.lower().replace("_", " ").split())
    if key in names:
        return zoneinfo.ZoneInfo(names[key])
    match = process.extractOne(key, names.keys(), scorer=fuzz.ratio, score_cutoff=85)
    return zoneinfo.ZoneInfo(names[match[0]]) if match else None


@cache
def _zone_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for zone in zoneinfo.available_timezones():
        if zone.startswith(_REGIONS):
            city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
            names.setdefault(city, zone)
    text = (resources.files("assistant.skills") / "data" / "cities.yml").read_text(
        "utf-8"
    )
    names.update(yaml.safe_load(text))
    return names
