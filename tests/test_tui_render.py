"""What the chat window shows for a reply's data, and which theme it picks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.tui.render import data_markdown, intent_line, reminder_line
from assistant.tui.theme import DARK, LIGHT, pick_theme, terminal_is_light


def test_sources_are_listed_with_where_they_come_from() -> None:
    data = {
        "sources": [
            {"title": "Budget notes", "path": "notes/budget.md", "page": 3},
            {"title": "Q3 plan", "snippet": "Spend *less* on travel"},
        ]
    }
    text = data_markdown(data)
    assert text.startswith("**Sources**")
    assert "1. **Budget notes** — notes/budget.md, p. 3" in text
    assert "> Spend \\*less\\* on travel" in text


def test_recommendations_show_their_reasons() -> None:
    data = {
        "items": [
            {"title": "Dune", "reasons": ["you liked Foundation", "science fiction"]},
            "book:17",
        ]
    }
    text = data_markdown(data)
    assert "**Suggestions**" in text
    assert "*you liked Foundation; science fiction*" in text
    assert "book:17" not in text  # an id is for programs


def test_what_the_reply_already_says_is_not_listed_again() -> None:
    data = {
        "results": [
            {"path": "/notes/garden.md", "snippet": "three raised beds"},
            {"path": "/notes/tax.md", "snippet": "refund"},
        ]
    }
    text = data_markdown(data, "Here is what I found:\n1. /notes/garden.md (score 1)")
    assert "tax.md" in text and "garden.md" not in text
    everything = data_markdown(data, "/notes/garden.md and /notes/tax.md")
    assert everything == ""


def test_long_lists_are_cut_with_a_count_and_other_data_is_ignored() -> None:
    results = [{"title": f"note {n}"} for n in range(15)]
    text = data_markdown({"results": results, "turn": 3, "items": []})
    assert "10. **note 9**" in text
    assert "…and 5 more" in text
    assert data_markdown({"clarify": ["a", "b"]}) == ""


def test_intent_line() -> None:
    assert intent_line("time.now", 0.934, "clock") == "time.now 93% · clock"
    assert intent_line(None, 0.0, "input") == "not understood · input"


def test_reminder_line_shows_the_day_only_when_not_today() -> None:
    now = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert reminder_line("tea", now + timedelta(hours=1), now=now) == "10:30  tea"
    later = reminder_line("rent", now + timedelta(days=2), now=now)
    assert later == "Wed 03 Jun 09:30  rent"


def test_theme_follows_colorfgbg_and_choice() -> None:
    assert terminal_is_light({"COLORFGBG": "0;15"}) is True
    assert terminal_is_light({"COLORFGBG": "15;default;0"}) is False
    assert terminal_is_light({}) is None
    assert pick_theme("auto", {"COLORFGBG": "0;15"}) == LIGHT
    assert pick_theme("auto", {}) == DARK
    assert pick_theme("light", {}) == LIGHT
    assert pick_theme("nord", {"COLORFGBG": "0;15"}) == "nord"
