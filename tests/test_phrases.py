from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

import assistant
from assistant.phrases import Phrases
from assistant.skills.chitchat import ChitchatSkill

PACKAGE = Path(assistant.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))

# Keys the code builds instead of spelling out in .say("...").
COMPUTED_KEYS = {
    *(intent.replace(".", "_") for intent in ChitchatSkill.intents),  # chitchat.py
    "time_now", "time_now_place", "date_now", "date_now_place",  # clock.py
    "cancelled_nothing", "nothing_to_confirm",  # dialog.py
}  # fmt: skip

# Plausible values for every placeholder a template may use.
VALUES: dict[str, Any] = {
    "abilities": "- tell the time and date, here or in another city",
    "feature": "Reminders",
    "intent": "reminder.create",
    "first": "see your reminders",
    "second": "set a reminder",
    "time": "10:30",
    "date": "Sunday 29 March 2026",
    "place": "Tokyo",
    "zone": "JST",
    "length": 2500,
    "limit": 2000,
    "skill": "clock",
}


def literal_keys() -> set[str]:
    """Keys passed literally to ``.say("...")`` anywhere in the package."""
    pattern = re.compile(r"""\.say\(\s*["']([A-Za-z0-9_.]+)["']""")
    return {
        key
        for path in SOURCES
        for key in pattern.findall(path.read_text(encoding="utf-8"))
    }


def input_error_reasons() -> set[str]:
    """``InputError`` reasons: the bot says them with the error's details."""
    pattern = re.compile(r"""\breason\s*=\s*["']([a-z_]+)["']""")
    return {
        key
        for path in SOURCES
        for key in pattern.findall(path.read_text(encoding="utf-8"))
    }


def templates() -> dict[str, Any]:
    text = (resources.files("assistant") / "locale" / "en.yml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


USED_KEYS = sorted(literal_keys() | input_error_reasons() | COMPUTED_KEYS)


def test_the_source_scan_finds_keys() -> None:
    assert {"out_of_scope", "help", "clarify", "time_unknown_place"} <= literal_keys()
    assert {"empty_input", "too_long"} <= input_error_reasons()


def test_locale_file_is_valid_yaml() -> None:
    loaded = templates()

    assert isinstance(loaded, dict)
    assert all(isinstance(key, str) for key in loaded)


@pytest.mark.parametrize("key", USED_KEYS)
def test_every_used_key_exists_and_formats(key: str) -> None:
    said = Phrases(seed=0).say(key, **VALUES)
    template = templates()[key]
    variants = template if isinstance(template, list) else [template]

    assert said
    for variant in variants:
        assert isinstance(variant, str)
        text = variant.format(**VALUES).strip()
        assert text
        assert "{" not in text
        assert "}" not in text
    assert said in {v.format(**VALUES).strip() for v in variants}


def test_values_are_filled_in() -> None:
    phrases = Phrases()

    assert "Tokyo" in phrases.say("time_unknown_place", place="Tokyo")
    assert "2,500" in phrases.say("too_long", length=2500, limit=2000)
    assert "see your reminders" in phrases.say(
        "clarify", first="see your reminders", second="set a reminder"
    )


def test_say_picks_among_list_variants() -> None:
    variants = templates()["chitchat_greet"]
    phrases = Phrases(seed=1)

    said = {phrases.say("chitchat_greet") for _ in range(60)}

    assert isinstance(variants, list)
    assert len(variants) > 1
    assert said <= {v.strip() for v in variants}
    assert len(said) > 1


def test_same_seed_gives_the_same_choices() -> None:
    first, second = Phrases(seed=7), Phrases(seed=7)

    assert [first.say("chitchat_thanks") for _ in range(10)] == [
        second.say("chitchat_thanks") for _ in range(10)
    ]


def test_unknown_key_raises_key_error() -> None:
    with pytest.raises(KeyError):
        Phrases().say("no_such_phrase")
