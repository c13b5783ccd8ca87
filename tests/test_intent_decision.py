from __future__ import annotations

import logging

import pytest

from assistant.clarify import OWNER, choose, question
from assistant.intents.model import Decision, Prediction, decide
from assistant.skills.base import PendingQuestion

THRESHOLD = 0.5
MARGIN = 0.2


def ranked(*pairs: tuple[str, float]) -> Prediction:
    return Prediction(tuple(pairs))


def test_prediction_top_and_runner_up() -> None:
    prediction = ranked(("time.now", 0.7), ("qa.ask", 0.2), ("out_of_scope", 0.1))

    assert prediction.top == ("time.now", 0.7)
    assert prediction.runner_up == ("qa.ask", 0.2)
    assert ranked(("time.now", 1.0)).runner_up == ("", 0.0)


@pytest.mark.parametrize("confidence", [0.8, THRESHOLD])
def test_accept_at_or_above_threshold(confidence: float) -> None:
    prediction = ranked(("time.now", confidence), ("qa.ask", 0.1))

    decision = decide(prediction, threshold=THRESHOLD, margin=MARGIN)

    assert decision == Decision("accept", "time.now", confidence, "qa.ask", 0.1)


def test_out_of_scope_when_top_is_out_of_scope() -> None:
    prediction = ranked(("out_of_scope", 0.9), ("time.now", 0.05))

    decision = decide(prediction, threshold=THRESHOLD, margin=MARGIN)

    assert decision.kind == "out_of_scope"
    assert decision.intent == "out_of_scope"
    assert decision.confidence == 0.9


def test_out_of_scope_when_below_threshold() -> None:
    prediction = ranked(("time.now", 0.4), ("qa.ask", 0.1), ("recommend.get", 0.1))

    decision = decide(prediction, threshold=THRESHOLD, margin=MARGIN)

    assert decision.kind == "out_of_scope"
    assert decision.intent == "time.now"  # what it was, for the log


def test_clarify_when_top_two_are_close_and_clear_the_threshold() -> None:
    prediction = ranked(("reminder.list", 0.45), ("reminder.create", 0.4))

    decision = decide(prediction, threshold=THRESHOLD, margin=MARGIN)

    assert decision == Decision(
        "clarify", "reminder.list", 0.45, "reminder.create", 0.4
    )


def test_clarify_even_when_top_alone_clears_the_threshold() -> None:
    prediction = ranked(("reminder.list", 0.55), ("reminder.create", 0.4))

    assert decide(prediction, threshold=THRESHOLD, margin=MARGIN).kind == "clarify"


def test_no_clarify_when_close_pair_is_too_weak_together() -> None:
    prediction = ranked(("reminder.list", 0.2), ("reminder.create", 0.15))

    assert decide(prediction, threshold=THRESHOLD, margin=MARGIN).kind == (
        "out_of_scope"
    )


def test_no_clarify_when_pair_is_not_close() -> None:
    prediction = ranked(("reminder.list", 0.7), ("reminder.create", 0.3))

    assert decide(prediction, threshold=THRESHOLD, margin=MARGIN).kind == "accept"


@pytest.mark.parametrize(
    ("prediction", "kind"),
    [
        (ranked(("time.now", 0.5), ("out_of_scope", 0.45)), "accept"),
        (ranked(("time.now", 0.45), ("out_of_scope", 0.4)), "out_of_scope"),
        (ranked(("out_of_scope", 0.45), ("time.now", 0.4)), "out_of_scope"),
    ],
)
def test_no_clarify_with_out_of_scope(prediction: Prediction, kind: str) -> None:
    decision = decide(prediction, threshold=THRESHOLD, margin=MARGIN)

    assert decision.kind == kind


def test_decision_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="assistant.intents.model")
    prediction = ranked(("time.now", 0.8), ("qa.ask", 0.15))

    decide(prediction, threshold=0.55, margin=MARGIN)

    [record] = [r for r in caplog.records if r.name == "assistant.intents.model"]
    message = record.getMessage()
    assert record.levelno == logging.DEBUG
    assert "intent=time.now" in message
    assert "confidence=0.800" in message
    assert "runner_up=qa.ask" in message
    assert "0.150" in message
    assert "threshold=0.55" in message
    assert "accept" in message


# -- answering a clarifying question -------------------------------------------

OPTIONS = ("reminder.list", "reminder.create")
DESCRIPTIONS = ("see your reminders", "set a reminder")
NO_INTENT = Decision("out_of_scope", "out_of_scope", 0.9, "qa.ask", 0.05)


@pytest.fixture
def pending() -> PendingQuestion:
    decision = Decision("clarify", "reminder.list", 0.45, "reminder.create", 0.4)
    return question("my reminders", decision, DESCRIPTIONS)


def test_question_holds_both_options(pending: PendingQuestion) -> None:
    assert pending.owner == OWNER
    assert pending.payload == {
        "text": "my reminders",
        "options": list(OPTIONS),
        "descriptions": list(DESCRIPTIONS),
    }
    assert "see your reminders" in pending.prompt
    assert "set a reminder" in pending.prompt


@pytest.mark.parametrize("answer", ["the first one", "first", "the former", "1"])
def test_answer_picks_the_first_by_position(
    pending: PendingQuestion, answer: str
) -> None:
    assert choose(pending, answer, NO_INTENT) == "reminder.list"


@pytest.mark.parametrize(
    "answer",
    ["the second", "second", "the latter", "2", "the second one", "the other one"],
)
def test_answer_picks_the_second_by_position(
    pending: PendingQuestion, answer: str
) -> None:
    assert choose(pending, answer, NO_INTENT) == "reminder.create"


def test_answer_classified_as_an_option_picks_it(pending: PendingQuestion) -> None:
    classified = Decision("accept", "reminder.create", 0.93, "reminder.list", 0.03)

    assert choose(pending, "make a new one", classified) == "reminder.create"


def test_answer_resembling_a_description_picks_it(pending: PendingQuestion) -> None:
    assert choose(pending, "see my reminders", NO_INTENT) == "reminder.list"


def test_yes_picks_the_first(pending: PendingQuestion) -> None:
    yes = Decision("accept", "dialog.affirm", 0.97, "dialog.deny", 0.01)

    assert choose(pending, "yes", yes) == "reminder.list"


def test_unrelated_answer_picks_nothing(pending: PendingQuestion) -> None:
    weather = Decision("accept", "qa.ask", 0.8, "out_of_scope", 0.1)

    assert choose(pending, "what's the weather in paris", NO_INTENT) is None
    assert choose(pending, "what's the weather in paris", weather) is None
