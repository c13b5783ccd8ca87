from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from assistant.intents.dataset import IntentData, load_intent_data

EXPECTED_INTENTS = [
    "reminder.create",
    "reminder.list",
    "reminder.cancel",
    "search.notes",
    "qa.ask",
    "recommend.get",
    "recommend.feedback",
    "time.now",
    "chitchat.greet",
    "chitchat.goodbye",
    "chitchat.thanks",
    "assistant.help",
    "dialog.affirm",
    "dialog.deny",
    "dialog.cancel",
    "out_of_scope",
]


@pytest.fixture(scope="module")
def packaged() -> IntentData:
    """The packaged intents, read once; tests must not change them."""
    return load_intent_data(None)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_data_has_every_intent(packaged: IntentData) -> None:
    assert set(EXPECTED_INTENTS) <= set(packaged.intents)
    assert packaged.problems == []


@pytest.mark.parametrize("name", EXPECTED_INTENTS)
def test_packaged_intent_has_examples_and_a_description(
    packaged: IntentData, name: str
) -> None:
    spec = packaged.intents[name]

    assert len(spec.examples) >= 40
    assert spec.description.strip()
    assert spec.description != name  # a real description, not the fallback


def test_no_example_belongs_to_two_intents(packaged: IntentData) -> None:
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for text, name in packaged.examples():
        owners[" ".join(text.lower().split())].add(name)

    shared = {text: names for text, names in owners.items() if len(names) > 1}
    assert shared == {}


def test_user_file_extends_an_intent_and_adds_a_new_one(
    packaged: IntentData, tmp_path: Path
) -> None:
    user_dir = tmp_path / "intents"
    write(
        user_dir,
        "mine.yml",
        "intents:\n"
        "  time.now:\n"
        "    examples:\n"
        "      - what does the clock on the wall say\n"
        "  music.practice:\n"
        "    description: log guitar practice\n"
        "    reply: Logged. Keep at it!\n"
        "    examples:\n"
        "      - I practised guitar for 20 minutes\n"
        "      - log 30 minutes of guitar\n",
    )

    data = load_intent_data(user_dir)

    assert data.problems == []
    time_now = data.intents["time.now"]
    assert "what does the clock on the wall say" in time_now.examples
    assert len(time_now.examples) == len(packaged.intents["time.now"].examples) + 1
    assert time_now.description == packaged.intents["time.now"].description
    new = data.intents["music.practice"]
    assert new.description == "log guitar practice"
    assert new.reply == "Logged. Keep at it!"
    assert new.examples == [
        "I practised guitar for 20 minutes",
        "log 30 minutes of guitar",
    ]
    assert "music.practice" in data.labels


def test_yaml_extension_is_read_too(tmp_path: Path) -> None:
    write(
        tmp_path,
        "extra.yaml",
        "intents:\n  chitchat.thanks:\n    examples:\n      - cheers mate, legend\n",
    )

    data = load_intent_data(tmp_path)

    assert "cheers mate, legend" in data.intents["chitchat.thanks"].examples


def test_missing_user_dir_is_fine(tmp_path: Path) -> None:
    data = load_intent_data(tmp_path / "does-not-exist")

    assert data.problems == []
    assert set(EXPECTED_INTENTS) <= set(data.intents)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("intents: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "must hold a mapping"),
        ("intents:\n  time.now: [what time is it]\n", "needs a list"),
        ("intents:\n  dialog.affirm:\n    examples:\n      - yes\n", "not text"),
    ],
    ids=["invalid-yaml", "not-a-mapping", "examples-not-a-list", "boolean-example"],
)
def test_broken_user_file_is_skipped_and_reported(
    tmp_path: Path, text: str, hint: str
) -> None:
    broken = write(tmp_path, "broken.yml", text)
    write(
        tmp_path,
        "good.yml",
        "intents:\n  dialog.affirm:\n    examples:\n      - aye aye captain\n",
    )

    data = load_intent_data(tmp_path)

    assert len(data.problems) == 1
    assert str(broken) in data.problems[0]
    assert hint in data.problems[0]
    assert set(EXPECTED_INTENTS) <= set(data.intents)
    assert "aye aye captain" in data.intents["dialog.affirm"].examples
    assert True not in data.intents["dialog.affirm"].examples


def test_new_intent_without_examples_is_skipped_and_reported(tmp_path: Path) -> None:
    """Broken user files are skipped, so a new intent with no examples must not
    stop the packaged intents from loading."""
    broken = write(
        tmp_path,
        "empty.yml",
        "intents:\n  music.practice:\n    reply: Logged.\n",
    )

    data = load_intent_data(tmp_path)

    assert "music.practice" not in data.intents
    assert any(str(broken) in problem for problem in data.problems)
    assert set(EXPECTED_INTENTS) <= set(data.intents)


def test_fingerprint_is_stable(packaged: IntentData, tmp_path: Path) -> None:
    assert load_intent_data(None).fingerprint() == packaged.fingerprint()
    assert load_intent_data(tmp_path).fingerprint() == packaged.fingerprint()


def test_fingerprint_changes_when_a_user_file_adds_an_example(tmp_path: Path) -> None:
    before = load_intent_data(tmp_path).fingerprint()
    write(
        tmp_path,
        "more.yml",
        "intents:\n  time.now:\n    examples:\n      - is it teatime yet\n",
    )

    after = load_intent_data(tmp_path).fingerprint()

    assert after != before
    assert len(after) == 64
