"""Users' own intents and third-party skills."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.config import load_settings
from assistant.intents.classifier import IntentClassifier
from assistant.skills import Conversation, Feedback, ParsedTurn, Skill, SkillReply

PRACTICE = """
intents:
  music.practice:
    description: log music practice
    reply: Logged your practice. Keep going!
    examples:
      - I practised guitar for twenty minutes
      - just did 30 mins of piano practice
      - log my violin practice
      - practised scales for half an hour
      - did my drum practice today
      - I played bass for an hour, log it
      - record a guitar practice session
      - finished my cello practice
"""


def test_user_intent_file_retrains_and_answers(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = load_settings(home, intents={"method": "frozen"})
    before = IntentClassifier(settings).cache_key

    (home / "intents").mkdir(parents=True)
    (home / "intents" / "practice.yml").write_text(PRACTICE)
    classifier = IntentClassifier(settings)
    assert classifier.cache_key != before
    assert not classifier.is_trained

    with Assistant(home=home, config={"intents": {"method": "frozen"}}) as bot:
        reply = bot.respond("log my guitar practice, 45 minutes")
        assert reply.intent == "music.practice"
        assert reply.text == "Logged your practice. Keep going!"
        assert bot.classifier.is_trained


def test_corrupt_cached_model_is_retrained(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "home", intents={"method": "frozen"})
    classifier = IntentClassifier(settings)
    classifier.load()
    (classifier.folder / "head.npz").write_bytes(b"garbage")
    fresh = IntentClassifier(settings)
    assert fresh.classify("what time is it")[1].intent == "time.now"


PLUGIN = """
from assistant.skills import Skill, SkillReply


class EchoSkill(Skill):
    name = "echo"
    intents = ("chitchat.greet",)
    summary = "echo greetings"

    def handle(self, turn, conversation):
        return SkillReply(f"echo: {turn.text}", {"echo": True})
"""


@pytest.fixture
def plugin_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real installed distribution with an ``assistant.skills`` entry point."""
    site = tmp_path / "site"
    (site / "echo_skill").mkdir(parents=True)
    (site / "echo_skill" / "__init__.py").write_text(PLUGIN)
    info = site / "echo_skill-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: echo-skill\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[assistant.skills]\necho = echo_skill:EchoSkill\n"
    )
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("echo_skill", None)


@pytest.mark.usefixtures("plugin_on_path")
def test_entry_point_skill_is_discovered(home: Path) -> None:
    with Assistant(home=home) as bot:
        reply = bot.respond("hello there")
        assert reply.skill == "echo"
        assert reply.text == "echo: hello there"
        assert "echo greetings" in bot.respond("what can you do").text


class _BrokenSkill(Skill):
    name = "broken"
    intents = ("chitchat.thanks",)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        raise RuntimeError("boom")


def test_a_failing_skill_gets_a_clear_reply(home: Path) -> None:
    with Assistant(home=home) as bot:
        bot.skills.register(_BrokenSkill(bot.skill_env))
        reply = bot.respond("thanks a lot")
        assert reply.skill == "broken"
        assert reply.data["error"] == "skill_failed"
        assert "broken" in reply.text
        assert bot.respond("what time is it").intent == "time.now"


def test_the_skill_that_answered_hears_its_feedback(home: Path) -> None:
    heard: list[Feedback] = []

    class Weather(Skill):
        name = "weather_probe"
        intents = ("time.now",)

        def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
            return SkillReply("Sunny", {"shown": [7]})

        def on_feedback(self, feedback: Feedback) -> None:
            heard.append(feedback)

    with Assistant(home=home) as bot:
        bot.skills.register(Weather(bot.skill_env))
        reply = bot.respond("what time is it")
        bot.feedback(reply.turn_id, rating=-1, comment="wrong")

    assert reply.skill == "weather_probe"
    assert [(f.turn_id, f.rating, f.data, f.comment) for f in heard] == [
        (reply.turn_id, -1, {"shown": [7]}, "wrong")
    ]
