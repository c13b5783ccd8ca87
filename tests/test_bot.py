"""The library API end to end, with the real trained intent model."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import assistant
from assistant import Assistant, Reply
from assistant.errors import InputError, StorageError

# (message, intent the assistant must act on, skill that must answer)
CASES = [
    ("what time is it", "time.now", "clock"),
    ("what's the date today?", "time.now", "clock"),
    ("hi there", "chitchat.greet", "chitchat"),
    ("thanks a lot!", "chitchat.thanks", "chitchat"),
    ("bye for now", "chitchat.goodbye", "chitchat"),
    ("what can you do", "assistant.help", "help"),
    ("what's the weather like tomorrow in paris", "out_of_scope", "fallback"),
    ("book me a flight to rome", "out_of_scope", "fallback"),
    ("remind me to call mum tomorrow at 5pm", "reminder.create", "reminders"),
    ("recommend me a good fantasy novel", "recommend.get", "recommend"),
    ("who wrote war and peace", "qa.ask", "answers"),
    ("find my notes about the kitchen renovation", "search.notes", "search"),
]


def test_public_surface_is_deliberate() -> None:
    assert sorted(assistant.__all__) == [
        "Assistant",
        "AssistantError",
        "Reply",
        "__version__",
    ]


@pytest.mark.parametrize(("text", "intent", "skill"), CASES)
def test_routes_real_sentences(
    bot: Assistant, text: str, intent: str, skill: str
) -> None:
    reply = bot.respond(text, user="alice")
    assert (reply.intent, reply.skill) == (intent, skill)
    assert reply.text
    assert reply.turn_id > 0
    assert 0.0 <= reply.confidence <= 1.0


def test_reply_is_json_serialisable(bot: Assistant) -> None:
    reply = bot.respond("what time is it in tokyo", user="bob")
    decoded = json.loads(json.dumps(reply.to_dict()))
    assert decoded["intent"] == "time.now"
    assert decoded["data"]["zone"] == "Asia/Tokyo"
    assert set(decoded) >= {"text", "intent", "confidence", "skill", "data", "turn_id"}


def test_fixed_clock_answers_with_that_time(bot: Assistant) -> None:
    now = datetime(2026, 7, 14, 9, 5, tzinfo=ZoneInfo("Europe/London"))
    reply = bot.respond("what time is it", now=now)
    assert "09:05" in reply.text
    tokyo = bot.respond("what time is it in tokyo", now=now)
    assert "17:05" in tokyo.text


def test_out_of_scope_says_what_it_can_do(bot: Assistant) -> None:
    reply = bot.respond("what's the price of bitcoin right now")
    assert reply.intent == "out_of_scope"
    assert "help" in reply.text.lower()


def test_every_turn_is_logged(bot: Assistant) -> None:
    first = bot.respond("hello", user="carol")
    second = bot.respond("what time is it", user="carol")
    rows = bot.database.query(
        "SELECT * FROM turns WHERE user = ? ORDER BY id", ("carol",)
    )
    assert [r["id"] for r in rows] == [first.turn_id, second.turn_id]
    row = rows[1]
    assert row["text"] == "what time is it"
    assert row["intent"] == "time.now"
    assert row["skill"] == "clock"
    assert row["reply"] == second.text
    assert row["runner_up"] and row["latency_ms"] > 0
    assert row["model_version"].startswith("finetune-")


def test_feedback_is_stored_and_checked(bot: Assistant) -> None:
    reply = bot.respond("what time is it")
    bot.feedback(reply.turn_id, rating=1)
    bot.feedback(reply.turn_id, rating=-1, correct_intent="time.now", comment="fine")
    rows = bot.database.query(
        "SELECT * FROM feedback WHERE turn_id = ?", (reply.turn_id,)
    )
    assert [r["rating"] for r in rows] == [1, -1]
    with pytest.raises(StorageError):
        bot.feedback(999_999, rating=1)
    with pytest.raises(InputError):
        bot.feedback(reply.turn_id, rating=5)
    with pytest.raises(InputError, match="Unknown intent"):
        bot.feedback(reply.turn_id, correct_intent="make.coffee")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty_input"), ("   \n\t ", "empty_input"), ("x" * 100_000, "too_long")],
)
def test_bad_input_gets_a_clear_reply(bot: Assistant, text: str, reason: str) -> None:
    reply = bot.respond(text)
    assert reply.intent is None
    assert reply.data["error"] == reason
    assert reply.text and "Traceback" not in reply.text
    assert bot.database.query("SELECT data FROM turns WHERE id = ?", (reply.turn_id,))


def test_control_characters_and_invalid_utf8_are_cleaned(bot: Assistant) -> None:
    reply = bot.respond("what\x00 time\x1b is\x7f it")
    assert reply.intent == "time.now"
    reply = bot.respond(b"what time is it \xff\xfe")
    assert reply.intent == "time.now"


def test_users_are_kept_apart(bot: Assistant) -> None:
    bot.respond("hello", user="dave")
    bot.respond("hello", user="erin")
    assert [t for t, _ in bot._conversation("dave").history] == ["hello"]
    reply = bot.respond("what time is it", user="   ")
    assert reply.user == "default"


def test_safe_from_many_threads(bot: Assistant) -> None:
    replies: list[Reply] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for _ in range(5):
            reply = bot.respond("what time is it", user=f"user{n % 3}")
            with lock:
                replies.append(reply)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(replies) == 30
    assert {r.intent for r in replies} == {"time.now"}
    assert len({r.turn_id for r in replies}) == 30


def test_debug_log_says_why(bot: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="assistant"):
        bot.respond("what time is it")
    decision = [
        r.getMessage() for r in caplog.records if "threshold=" in r.getMessage()
    ]
    assert decision and "intent=time.now" in decision[0] and "runner_up=" in decision[0]


def test_clarifying_question_takes_the_next_turn(bot: Assistant) -> None:
    # The classifier is scripted here: this test is about the dialogue, not the model.
    real = bot.classifier.classify

    def close_call(text: str):  # type: ignore[no-untyped-def]
        prediction, decision = real(text)
        if text.startswith("reminders"):
            from assistant.intents.model import Decision

            decision = Decision(
                "clarify", "reminder.create", 0.45, "reminder.list", 0.44
            )
        return prediction, decision

    bot.classifier.classify = close_call  # type: ignore[method-assign]
    question = bot.respond("reminders tomorrow", user="fay")
    assert question.skill == "clarify"
    assert "set a reminder" in question.text and "see your reminders" in question.text

    answer = bot.respond("the second one", user="fay")
    assert answer.intent == "reminder.list"
    assert answer.skill == "reminders"

    bot.respond("reminders tomorrow", user="fay")
    cancelled = bot.respond("never mind", user="fay")
    assert cancelled.intent == "dialog.cancel"
    assert "cancel" in cancelled.text.lower()
    assert bot._conversation("fay").pending is None


def test_bare_yes_without_a_question(bot: Assistant) -> None:
    reply = bot.respond("yes")
    assert reply.intent == "dialog.affirm"
    assert "nothing" in reply.text.lower()


def test_import_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, assistant; from assistant import Assistant; "
        "heavy = {'torch', 'transformers', 'onnxruntime', 'sklearn'} "
        "& set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
