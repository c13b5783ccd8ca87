"""What the user asked for: a request for suggestions, or an opinion.

Plain patterns over the lower-cased text; titles are matched against the
catalog afterwards (fuzzily, see :meth:`Catalog.match_title`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Opinion", "Request", "parse_opinion", "parse_request", "request_kind"]

# Words that name a kind; the catalog's own kinds plus those it may lack.
KIND_WORDS = {
    "book": "book", "books": "book", "novel": "book", "novels": "book",
    "read": "book", "reading": "book", "audiobook": "book",
    "film": "film", "films": "film", "movie": "film", "movies": "film",
    "watch": "film", "documentary": "film",
    "show": "show", "shows": "show", "tv": "show", "binge": "show",
    "anime": "show",
    "album": "music", "albums": "music", "music": "music", "song": "music",
    "songs": "music", "band": "music", "artist": "music", "listen": "music",
    "game": "game", "games": "game", "play": "game",
    "podcast": "podcast", "podcasts": "podcast",
    "dinner": "meal", "lunch": "meal", "breakfast": "meal", "meal": "meal",
    "cook": "meal", "dish": "meal", "recipe": "meal", "eat": "meal",
    "supper": "meal", "snack": "meal", "dessert": "meal",
    "restaurant": "restaurant", "restaurants": "restaurant",
    "brunch": "restaurant", "cafe": "restaurant",
    "trip": "place", "travel": "place", "visit": "place", "vacation": "place",
    "holiday": "place", "destination": "place", "sights": "place",
}  # fmt: skip
PLURALS = {
    "book": "books", "film": "films", "show": "shows", "music": "music",
    "game": "games", "podcast": "podcasts", "meal": "meals",
    "restaurant": "restaurants", "place": "places to visit",
}  # fmt: skip
SYNONYMS = {
    "sci-fi": "science fiction", "scifi": "science fiction", "sf": "science fiction",
    "ya": "young adult", "whodunit": "mystery", "romcom": "romantic comedy",
}  # fmt: skip
_FILLER_WORDS = """
    a an the some any me my i we you your for to of with and or please
    recommend recommendation recommendations suggest suggestion suggestions
    give find get want need would could can should what whats what's next
    something anything good great nice new another one ones idea ideas have got
    do like similar more less other else tonight today this that is are be im
    i'm really maybe kind sort type up on in it read watch listen play last not
    instead again
"""
_FILLER = frozenset(_FILLER_WORDS.split())
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
_COUNT = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?"
    r"(?:books?|films?|movies?|shows?|albums?|games?|podcasts?|recommendations"
    r"|suggestions|ideas)\b"
)
LAST = re.compile(
    r"^(?:(?:the\s+)?last\s+one|that(?:\s+one)?|this(?:\s+one)?|it|the\s+first"
    r"(?:\s+one)?|that\s+(?:book|film|movie|show|album|game|podcast))$"
)


@dataclass(frozen=True, slots=True)
class Request:
    """A request for suggestions."""

    kind: str | None = None
    seed: str | None = None
    """A title the user wants something like."""
    like_last: bool = False
    """"more like the last one": the previous suggestion is the seed."""
    another: bool = False
    """"not that one": drop the previous suggestion and try again."""
    topic: str = ""
    """Descriptive words left over ("science fiction short")."""
    count: int = 5


@dataclass(frozen=True, slots=True)
class Opinion:
    """What the user thinks of a title, or of a kind of thing."""

    target: str | None
    """The title as typed; None when it refers to the last suggestion."""
    value: float
    """-1 (hated) to 1 (loved)."""
    stars: int | None = None
    avoid: str | None = None
    """A word the user is not into ("horror"), when no title is meant."""
    seen: bool = False
    """Already read or watched: never suggest it again, no opinion."""


def parse_request(text: str) -> Request:
    """Read a request such as "something like The Hobbit" or "a short sci-fi novel".

    The words of a seed title name no kind or count: "something like The
    Hunger Games" asks for anything like that book, "a film like ..." for films.
    """
    lowered = _clean(text)
    another = bool(re.search(r"\b(not that one|something else|another one|not that)\b",
                             lowered))  # fmt: skip
    like_last = bool(re.search(r"\bmore like (?:the last one|that|this|it)\b", lowered))
    seed = None
    found = re.search(
        r"\b(?:like|similar to|such as|in the vein of|along the lines of)\s+(.+)$",
        lowered,
    )
    if found and not like_last:
        seed = _strip_tail(found.group(1))
        if LAST.match(seed):
            seed, like_last = None, True
    outside = lowered
    if found and seed:  # the seed is a part of group(1), e.g. "dune" of "dune books"
        rest = found.group(1).replace(seed, " ", 1)
        outside = f"{lowered[: found.start(1)]} {rest}"
    kind = _kind_in(outside)
    count = 5
    number = _COUNT.search(outside)
    if number:
        count = max(1, min(10, _number(number.group(1)) or 5))
    head = lowered[: found.start()] if found and seed else lowered
    topic_words = [
        SYNONYMS.get(w, w)
        for w in re.findall(r"[\w'-]+", head)
        if w not in _FILLER and w not in KIND_WORDS and not w.isdigit()
        and w not in _NUMBERS
    ]  # fmt: skip
    return Request(kind, seed or None, like_last, another, " ".join(topic_words), count)


def request_kind(text: str, *, title: str = "") -> str | None:
    """The kind ``text`` names, not counting the words of ``title`` in it.

    "I loved The Hunger Games, recommend something similar" names no kind.
    """
    lowered = _clean(text)
    if title:
        lowered = lowered.replace(_clean(title), " ", 1)
    return _kind_in(lowered)


def _kind_in(text: str) -> str | None:
    words = re.findall(r"[\w'-]+", text)
    return next((KIND_WORDS[w] for w in words if w in KIND_WORDS), None)


def parse_opinion(text: str) -> Opinion | None:
    """Read "I loved Dune", "rate The Road 2 stars", "not into horror"...

    Returns None when the text holds no opinion this parser knows.
    """
    lowered = _clean(text)
    for pattern in _STARS:
        found = pattern.search(lowered)
        if found:
            stars = _stars(found.group("n"), found.groupdict().get("scale"))
            if stars is not None:
                return Opinion(_target(found.group("title")), (stars - 3) / 2, stars)
    found = re.search(
        r"\b(?:already|just)\s+(?:read|seen|watched|played|heard|listened to)"
        r"(?:\s+(?P<title>.+))?$|\b(?P<t2>.+?)\s+(?:is|was)\s+already\s+(?:read|seen)",
        lowered,
    )
    if found:
        title = found.group("title") or found.group("t2")
        return Opinion(_target(title or "it"), 0.0, seen=True)
    found = re.search(
        r"\b(?:not (?:really |a big |that )?into|not a (?:big )?fan of|"
        r"i (?:don't|do not|never) (?:like|read|watch|enjoy)|no more|"
        r"tired of|less|avoid|(?:i )?dislike)\s+(?P<what>.+)$",
        lowered,
    )
    if found:
        what = _strip_tail(found.group("what"))
        if LAST.match(what):
            return Opinion(None, -1.0)
        return Opinion(what, -1.0, avoid=_avoid_term(what))
    for pattern, value in _OPINIONS:
        found = pattern.search(lowered)
        if found:
            return Opinion(_target(found.group("title")), value)
    return None


_STARS = (
    re.compile(r"\b(?:rate|rating for|give|rated)\s+(?P<title>.+?)\s*(?:a\s+)?"
               r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
               r"\s*(?:stars?|/\s*(?P<scale>5|10)|out of (?P<scale2>5|10|five|ten))"),
    re.compile(r"\b(?P<n>\d+|one|two|three|four|five)\s+stars?\s+(?:for|to)\s+"
               r"(?P<title>.+)$"),
)  # fmt: skip
_OPINIONS = (
    (re.compile(r"\bi\s+(?:really\s+|absolutely\s+)?(?:loved|love|adored|adore)\s+"
                r"(?P<title>.+)$"), 1.0),
    (re.compile(r"\bi\s+(?:really\s+)?(?:liked|like|enjoyed|enjoy)\s+(?P<title>.+)$"),
     0.6),
    (re.compile(r"\bi\s+(?:really\s+)?(?:hated|hate|disliked|didn't like|"
                r"did not like|couldn't finish|could not finish|gave up on)\s+"
                r"(?P<title>.+)$"), -1.0),
    (re.compile(r"^(?P<title>.+?)\s+(?:was|is)\s+(?:so\s+|really\s+|absolutely\s+)?"
                r"(?:great|brilliant|amazing|fantastic|wonderful|excellent|superb|"
                r"so good|a masterpiece)\b"), 1.0),
    (re.compile(r"^(?P<title>.+?)\s+(?:was|is)\s+(?:so\s+|really\s+)?"
                r"(?:boring|terrible|awful|bad|dull|meh|overrated|not good)\b"), -1.0),
    (re.compile(r"^(?P<title>loved it|liked it|great pick|spot on)$"), 1.0),
)  # fmt: skip


def _clean(text: str) -> str:
    text = text.lower().replace("\u2019", "'").strip()
    return re.sub(r"\s+", " ", re.sub(r"[!?.]+$", "", text)).strip()


def _strip_tail(text: str) -> str:
    text = re.sub(r"[?!.,]+$", "", text.strip())
    text = re.sub(r"\s+(?:please|instead|next|too|again|for me|a lot|very much|so much"
                  r"|books?|novels?|stuff)$", "", text)  # fmt: skip
    return text.strip(" '\"")


def _target(text: str) -> str | None:
    title = _strip_tail(text)
    if title in ("it", "loved it", "liked it", "great pick", "spot on") or LAST.match(
        title
    ):
        return None
    return title or None


def _avoid_term(text: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", text) if w not in _FILLER]
    words = [w for w in words if w not in KIND_WORDS]
    return SYNONYMS.get(" ".join(words), " ".join(words))


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _NUMBERS.get(text)


def _stars(text: str, scale: str | None) -> int | None:
    number = _number(text)
    if number is None:
        return None
    if scale in ("10", "ten") or number > 5:
        number = round(number / 2)
    return max(1, min(5, number))
