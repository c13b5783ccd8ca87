"""Search and answers through the assistant, the CLI, feedback and forget."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from assistant.bot import Assistant
from assistant.knowledge import KnowledgeBase, index_paths
from assistant.skills.base import Conversation, ParsedTurn
from assistant.skills.knowledge import AnswerSkill
from tests.knowledge_corpus import write_corpus


@pytest.fixture
def indexed(bot: Assistant, tmp_path: Path) -> Path:
    notes = write_corpus(tmp_path / "notes")
    base = KnowledgeBase(bot.settings, bot.database)
    index_paths(base, [notes])
    return notes


def ask(skill: AnswerSkill, text: str, user: str = "amy") -> str:
    turn = ParsedTurn(text, user, "qa.ask", 0.9, datetime(2026, 1, 1))
    return skill.handle(turn, Conversation(user)).text


def test_questions_are_answered_with_their_source(
    bot: Assistant, indexed: Path
) -> None:
    reply = bot.respond("who is jonas berg?", user="amy")

    assert (reply.intent, reply.skill) == ("qa.ask", "answers")
    assert "Our accountant is called Jonas Berg." in reply.text
    assert "taxes.html" in reply.text and "Tax notes > Accountant" in reply.text
    assert reply.data["path"] == str(indexed / "taxes.html")
    assert reply.data["heading"] == "Tax notes > Accountant"


def test_search_lists_passages_with_file_heading_snippet_and_score(
    bot: Assistant, indexed: Path
) -> None:
    reply = bot.respond("find my notes on the garden layout", user="amy")

    assert reply.skill == "search"
    first = reply.data["results"][0]
    assert first["path"] == str(indexed / "moving.md")
    assert first["heading"] == "Our move > Garden layout"
    assert "garden" in first["snippet"].lower()
    assert "1. " in reply.text and "score" in reply.text


def test_search_without_documents_says_how_to_add_them(bot: Assistant) -> None:
    reply = bot.respond("find my notes on the garden layout", user="amy")

    assert reply.skill == "search"
    assert "assistant index" in reply.text


def test_a_downvoted_answer_is_not_given_again(home: Path, tmp_path: Path) -> None:
    # Only the answer's own demotion: a thumbs-down on a low-confidence reply
    # would also make the intent ask first (tests/test_feedback.py covers it).
    config = {
        "conversation": {"timezone": "Europe/London"},
        "feedback": {"low_confidence": 0.0},
    }
    bot = Assistant(home=home, config=config)
    index_paths(
        KnowledgeBase(bot.settings, bot.database), [write_corpus(tmp_path / "notes")]
    )
    try:
        check_downvote_and_forget(bot)
    finally:
        bot.close()


def check_downvote_and_forget(bot: Assistant) -> None:
    first = bot.respond("who is jonas berg?", user="amy")
    assert first.skill == "answers" and "Jonas Berg" in first.data["answer"]
    bot.feedback(first.turn_id, rating=-1)

    again = bot.respond("who is jonas berg?", user="amy")
    someone_else = bot.respond("who is jonas berg?", user="ben")

    assert again.data.get("answer") != first.data["answer"]
    assert someone_else.data["answer"] == first.data["answer"]

    bot.forget("amy")
    restored = bot.respond("who is jonas berg?", user="amy")
    assert restored.data["answer"] == first.data["answer"]


def test_the_builtin_help_answers_on_a_fresh_install(bot: Assistant) -> None:
    skill = bot.skills.get("answers")
    assert isinstance(skill, AnswerSkill)

    data = ask(skill, "where is my data stored?")
    reminder = ask(skill, "how do I set a reminder?")
    index = ask(skill, "how do I add my documents to the index?")

    assert "ASSISTANT_HOME" in data or "home" in data
    assert "remind me" in reminder.lower()
    assert "assistant index" in index
    assert "the assistant's help" in data


@pytest.mark.parametrize(
    "question",
    ["where is my data stored?", "how do I change the time zone?"],
)
def test_questions_about_the_assistant_reach_its_help_pages(
    bot: Assistant, question: str
) -> None:
    reply = bot.respond(question)

    assert (reply.intent, reply.skill) == ("qa.ask", "answers")
    assert reply.data["path"].startswith("builtin:")


def test_unanswerable_questions_get_i_dont_know(bot: Assistant, indexed: Path) -> None:
    reply = bot.respond("who painted the mona lisa?", user="amy")

    assert reply.skill == "answers"
    assert reply.data["answer"] is None
    assert "don't know" in reply.text or "couldn't find" in reply.text
    # documents are indexed: not told to add documents as if there were none
    assert "add your documents" not in reply.text
    assert "Add documents with" not in reply.text


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    command = [sys.executable, "-m", "assistant", *args]
    if shutil.which("unshare") and os.geteuid() == 0:
        probe = subprocess.run(["unshare", "-n", "true"], check=False)
        if probe.returncode == 0:
            command = ["unshare", "-n", *command]  # no network at all
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_cli_indexes_a_folder_then_answers_from_it_offline(
    home: Path, tmp_path: Path
) -> None:
    notes = write_corpus(tmp_path / "notes")
    (notes / "locked.bin.txt").write_bytes(b"\x00\x01binary")

    indexed = run(home, "index", str(notes))
    listed = run(home, "index", "--list")
    answered = run(home, "ask", "who wrote the onboarding guide?")
    missing = run(home, "index", str(tmp_path / "nowhere"))
    removed = run(home, "index", "--remove", str(notes / "onboarding.txt"))

    assert indexed.returncode == 0, indexed.stderr
    assert "Added 4" in indexed.stdout and "skipped 1" in indexed.stdout
    assert "binary" in indexed.stdout
    assert "4 document(s)" in listed.stdout
    assert answered.returncode == 0, answered.stderr
    assert "Maria Santos" in answered.stdout and "onboarding.txt" in answered.stdout
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr + indexed.stderr + answered.stderr
    assert "Removed 1" in removed.stdout


CAR_NOTES = """# The car

## Servicing
The engine oil must be changed every 10,000 kilometres or once a year,
whichever comes first. The garage on Mill Road does it for 90 euros.
"""


def test_a_declined_question_is_answered_when_own_documents_hold_it(
    bot: Assistant, tmp_path: Path
) -> None:
    question = "how often must the engine oil be changed?"
    before = bot.respond(question)
    (tmp_path / "car.md").write_text(CAR_NOTES, "utf-8")
    index_paths(KnowledgeBase(bot.settings, bot.database), [tmp_path / "car.md"])

    after = bot.respond(question)
    unrelated = bot.respond("what's the weather like in Oslo tomorrow?")

    assert before.intent == "out_of_scope"  # no documents: declined as before
    assert (after.intent, after.skill) == ("qa.ask", "answers")
    assert after.data["rescued_from"] == "out_of_scope"
    assert "every 10,000 kilometres" in after.text and "car.md" in after.text
    assert unrelated.intent == "out_of_scope"
