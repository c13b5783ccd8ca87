from __future__ import annotations

import re
import string
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

# Plausible values for placeholders; one not listed here is filled with 7.
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
    """The core's templates and every skill's, as the files hold them."""
    folder = resources.files("assistant") / "locale"
    loaded: dict[str, Any] = yaml.safe_load((folder / "en.yml").read_text("utf-8"))
    extra = folder / "en"
    if extra.is_dir():
        for item in extra.iterdir():
            if item.name.endswith(".yml"):
                loaded.update(yaml.safe_load(item.read_text("utf-8")) or {})
    return loaded


def values_for(template: str | list[str]) -> dict[str, Any]:
    variants = template if isinstance(template, list) else [template]
    names = {
        field.split(".")[0].split("[")[0]
        for variant in variants
        for _, field, _, _ in string.Formatter().parse(variant)
        if field
    }
    return {name: VALUES.get(name, 7) for name in names}


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
    template = templates()[key]
    values = values_for(template)
    said = Phrases(seed=0).say(key, **values)
    variants = template if isinstance(template, list) else [template]

    assert said
    for variant in variants:
        assert isinstance(variant, str)
        text = variant.format(**values).strip()
        assert text
        assert "{" not in text
        assert "}" not in text
    assert said in {v.format(**values).strip() for v in variants}


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


def test_a_key_defined_twice_is_refused() -> None:
    phrases = Phrases()

    with pytest.raises(ValueError, match="help"):
        phrases.add({"help": "again"})


def test_plugin_phrases_can_be_added() -> None:
    phrases = Phrases()
    phrases.add({"my_plugin_hello": "Hello {name}"})

    assert phrases.say("my_plugin_hello", name="Ann") == "Hello Ann"
