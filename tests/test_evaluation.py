from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.intents.evaluation import EvalReport, evaluate, read_labelled

# (text, expected intent, what the scripted classifier answers)
CASES = [
    ("hello", "greet", "greet"),
    ("hi there", "greet", "greet"),
    ("good morning", "greet", "time"),
    ("bye", "goodbye", "goodbye"),
    ("see you", "goodbye", "greet"),
    ("what time is it", "time", "time"),
    ("clock please", "time", "greet"),
    ("the hour", "time", "greet"),
    ("time now", "time", "time"),
]
PAIRS = [(text, expected) for text, expected, _ in CASES]
ANSWERS = {text: predicted for text, _, predicted in CASES}


def scripted(texts: Sequence[str]) -> list[str]:
    return [ANSWERS[text] for text in texts]


@pytest.fixture
def report() -> EvalReport:
    return evaluate(PAIRS, scripted)


def test_accuracy(report: EvalReport) -> None:
    assert report.total == 9
    assert report.correct == 5
    assert report.accuracy == pytest.approx(5 / 9)


def test_precision_per_intent(report: EvalReport) -> None:
    # greet: predicted 5 times, right 2; time: predicted 3, right 2; goodbye: 1 of 1
    assert report.precision == pytest.approx(
        {"greet": 2 / 5, "time": 2 / 3, "goodbye": 1.0}
    )


def test_recall_and_support_per_intent(report: EvalReport) -> None:
    assert report.recall == pytest.approx(
        {"greet": 2 / 3, "time": 2 / 4, "goodbye": 1 / 2}
    )
    assert report.support == {"greet": 3, "time": 4, "goodbye": 2}


def test_confusions_are_ordered_by_count(report: EvalReport) -> None:
    assert report.confusions[0] == ("time", "greet", 2)
    assert sorted(report.confusions[1:]) == [
        ("goodbye", "greet", 1),
        ("greet", "time", 1),
    ]
    counts = [n for _, _, n in report.confusions]
    assert counts == sorted(counts, reverse=True)


def test_top_confusions_limits_the_list() -> None:
    report = evaluate(PAIRS, scripted, top_confusions=1)

    assert report.confusions == [("time", "greet", 2)]


def test_label_only_ever_predicted_has_zero_support() -> None:
    report = evaluate([("hello", "greet")], lambda texts: ["weather"] * len(texts))

    assert report.accuracy == 0.0
    assert report.support == {"greet": 1, "weather": 0}
    assert report.precision == {"greet": 0.0, "weather": 0.0}
    assert report.recall == {"greet": 0.0, "weather": 0.0}


def test_format_has_the_accuracy_line(report: EvalReport) -> None:
    text = report.format()

    assert text.splitlines()[0] == "accuracy 55.6% on 9 sentences"
    assert "time -> greet" in text
    for name in ("greet", "time", "goodbye"):
        assert name in text


def test_as_dict_is_json_serialisable(report: EvalReport) -> None:
    loaded = json.loads(json.dumps(report.as_dict()))

    assert loaded["total"] == 9
    assert loaded["accuracy"] == round(5 / 9, 4)
    assert loaded["per_intent"]["greet"] == {
        "precision": 0.4,
        "recall": round(2 / 3, 4),
        "support": 3,
    }
    assert loaded["confusions"][0] == {
        "expected": "time",
        "predicted": "greet",
        "count": 2,
    }


def test_read_labelled_skips_header_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "labelled.tsv"
    path.write_text(
        "text\tintent\n"
        "what time is it\ttime.now\n"
        "\n"
        "a line without a tab\n"
        "\tno.text\n"
        "no intent\t\n"
        "   \t   \n"
        '  say "hi" to mum  \t  chitchat.greet  \n'
        "remind me\treminder.create\r\n",
        encoding="utf-8",
    )

    pairs = read_labelled(path)

    assert pairs == [
        ("what time is it", "time.now"),
        ('say "hi" to mum', "chitchat.greet"),
        ("remind me", "reminder.create"),
    ]


def test_read_labelled_without_header(tmp_path: Path) -> None:
    path = tmp_path / "labelled.tsv"
    path.write_text("hello\tchitchat.greet\nbye\tchitchat.goodbye\n", encoding="utf-8")

    assert read_labelled(path) == [
        ("hello", "chitchat.greet"),
        ("bye", "chitchat.goodbye"),
    ]


def test_read_labelled_missing_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "missing.tsv"

    with pytest.raises(InputError, match=r"missing\.tsv"):
        read_labelled(path)


@pytest.mark.parametrize(
    "text",
    ["", "text\tintent\n", "\n\nno tabs here\n\tonly intent\n"],
    ids=["empty", "header-only", "only-bad-lines"],
)
def test_read_labelled_without_usable_rows_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "labelled.tsv"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(InputError, match="no 'text<TAB>intent' lines"):
        read_labelled(path)
