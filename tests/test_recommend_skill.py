"""Recommendations in conversation, with the real bot, catalog, FAISS and ALS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.bot import Assistant
from assistant.cli import app
from assistant.recommend.store import TasteStore

pytestmark = pytest.mark.slow

FILMS = """id,title,creator,year,tags,kind
f1,Alien,Ridley Scott,1979,horror|science fiction,film
f2,The Shining,Stanley Kubrick,1980,horror,film
f3,Up,Pete Docter,2009,animation|family|adventure,film
f4,Arrival,Denis Villeneuve,2016,science fiction|drama,film
f5,Paddington,Paul King,2014,family|comedy,film
f6,Blade Runner,Ridley Scott,1982,science fiction|noir,film
"""


def _ask(bot: Assistant, text: str, user: str = "ann") -> tuple[str, dict[str, Any]]:
    reply = bot.respond(text, user=user)
    assert reply.skill == "recommend", (text, reply.intent, reply.text)
    return reply.text, reply.data


def test_a_love_changes_the_next_list_and_says_why(bot: Assistant) -> None:
    first_text, first = _ask(bot, "recommend a book")
    assert first["cold_start"] is True
    assert len(first["items"]) == 5
    assert "Tell me a book you loved" in first_text

    noted, data = _ask(bot, "I loved The Hobbit")
    assert "The Hobbit" in noted and data["rated"] == "book:7"

    second_text, second = _ask(bot, "recommend a book")
    assert second["cold_start"] is False
    assert second["items"] != first["items"]
    assert "book:7" not in second["items"]  # never what the user already rated
    assert "because you liked The Hobbit" in second_text
    assert any("Tolkien" in line for line in second_text.splitlines())


def test_something_like_a_title_with_a_typo(bot: Assistant) -> None:
    text, data = _ask(bot, "recommend something like The Hobit")
    assert "If you liked The Hobbit" in text
    assert "book:7" not in data["items"]
    assert all(reason == "similar to The Hobbit" for reason in data["reasons"])
    assert "Tolkien" in text


def test_not_that_one_and_more_like_the_last_one(bot: Assistant) -> None:
    _, first = _ask(bot, "something like Dune")
    dropped = first["items"][0]

    text, second = _ask(bot, "not that one")
    assert dropped not in second["items"]
    assert "skip" in text

    _, third = _ask(bot, "recommend a book")
    assert dropped not in third["items"]

    text, fourth = _ask(bot, "recommend more like the last one")
    assert f"If you liked {third['titles'][0]}" in text
    assert third["items"][0] not in fourth["items"]


def test_stars_and_unknown_titles(bot: Assistant, home: Path) -> None:
    text, data = _ask(bot, "rate The Road 2 stars")
    assert data == {"rated": "book:104", "value": -0.5, "stars": 2}
    assert "2 stars" in text

    text, data = _ask(bot, "I loved Harry Poter and the Sorcerers Stone")
    if "did_you_mean" in data:  # a weaker match asks first
        text, data = _ask(bot, "1")
    assert data["rated"] == "book:2"

    text, data = _ask(bot, "I loved Qwzxv Plorb")
    assert "couldn't find" in text or "Did you mean" in text

    _, listed = _ask(bot, "recommend a book")
    assert "book:104" not in listed["items"] and "book:2" not in listed["items"]


def test_a_thumbs_down_dismisses_what_was_shown(bot: Assistant) -> None:
    reply = bot.respond("recommend a book", user="cy")
    bot.feedback(reply.turn_id, rating=-1)

    again = bot.respond("recommend a book", user="cy")
    assert set(again.data["items"]).isdisjoint(reply.data["items"])

    skill = bot.skills.get("recommend")
    assert skill is not None
    store = TasteStore(bot.database)
    assert {t.key for t in store.taste("cy")} == set(reply.data["items"])
    skill.forget("cy")
    assert store.taste("cy") == []


def test_kinds_films_only_after_an_import(bot: Assistant, home: Path) -> None:
    text, data = _ask(bot, "recommend a film")
    assert data["missing_kind"] is True
    assert "no films" in text and "catalog import" in text

    films = home / "films.csv"
    films.write_text(FILMS)
    result = CliRunner().invoke(
        app, ["catalog", "import", str(films), "--home", str(home)]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 6 items" in result.output and "film 6" in result.output

    text, data = _ask(bot, "recommend a film")
    assert data["items"] and all(key.startswith("film:") for key in data["items"])

    noted, _ = _ask(bot, "not into horror")
    assert "horror" in noted
    _, data = _ask(bot, "recommend a film")
    assert "film:f1" not in data["items"] and "film:f2" not in data["items"]


def test_meals_are_not_in_the_catalog(bot: Assistant) -> None:
    text, data = _ask(bot, "what should I cook this evening")
    assert data["missing_kind"] is True
    assert "no meals" in text


def test_catalog_commands_and_bad_files(home: Path) -> None:
    runner = CliRunner()
    stats = runner.invoke(app, ["catalog", "stats", "--home", str(home)])
    assert stats.exit_code == 0, stats.output
    assert "book" in stats.output and "exact (flat)" in stats.output

    listed = runner.invoke(
        app, ["catalog", "list", "--limit", "3", "--home", str(home)]
    )
    assert listed.exit_code == 0
    assert "book:1 " in listed.output and "The Hunger Games" in listed.output

    bad = home / "bad.jsonl"
    bad.write_text('{"id": "1", "title": "ok"}\nnot json\n')
    result = runner.invoke(app, ["catalog", "import", str(bad), "--home", str(home)])
    assert result.exit_code == 1
    assert "line 2: not JSON" in result.output
    assert "Traceback" not in result.output


def test_imported_ratings_give_imported_items_collaborative_factors(
    home: Path,
) -> None:
    lines = ["user,item,rating"]
    for user in range(40):
        liked = ("f1", "f4", "f6") if user % 2 else ("f3", "f5")
        lines += [f"u{user},{item},5" for item in liked]
    ratings = home / "ratings.csv"
    ratings.write_text("\n".join(lines) + "\n")
    films = home / "films.csv"
    films.write_text(FILMS)

    result = CliRunner().invoke(
        app,
        [
            "catalog",
            "import",
            str(films),
            "--ratings",
            str(ratings),
            "--home",
            str(home),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Imported 100 ratings" in result.output

    with Assistant(home=home) as bot:
        _ask(bot, "I loved Up", user="dee")
        _, data = _ask(bot, "recommend a film", user="dee")
    assert data["items"][0] == "film:f5"  # liked by the same people as Up


def test_a_love_and_a_request_in_one_sentence(bot: Assistant) -> None:
    text, data = _ask(bot, "I loved dune, recommend something similar")
    assert "If you liked Dune" in text
    assert "book:126" not in data["items"]
    store = TasteStore(bot.database)
    assert [(t.key, t.value) for t in store.taste("ann")] == [("book:126", 1.0)]


def test_did_you_mean_takes_a_numbered_answer_or_no(bot: Assistant) -> None:
    text, data = _ask(bot, "I loved Harry Potter")
    assert "Did you mean" in text and "Harry Potter and the" in text
    choices = data["did_you_mean"]
    assert len(choices) == 3

    reply = bot.respond("the second one", user="ann")
    assert reply.skill == "recommend"
    assert reply.data["rated"] == choices[1]

    _ask(bot, "I loved Harry Potter")
    reply = bot.respond("no", user="ann")
    assert "left it" in reply.text
    assert [t.key for t in TasteStore(bot.database).taste("ann")] == [choices[1]]


def test_kind_words_inside_a_seed_title_do_not_set_the_kind(bot: Assistant) -> None:
    text, data = _ask(bot, "something like The Hunger Games")
    assert "If you liked The Hunger Games" in text
    assert data["items"] and all(key.startswith("book:") for key in data["items"])
    assert "book:1" not in data["items"]

    text, data = _ask(bot, "I loved The Hunger Games, recommend something similar")
    assert "If you liked The Hunger Games" in text
    assert [t.key for t in TasteStore(bot.database).taste("ann")] == ["book:1"]

    text, data = _ask(bot, "recommend a film like The Hunger Games")
    assert data["missing_kind"] is True and "no films" in text


def _import(home: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["catalog", "import", *args, "--home", str(home)])


def test_an_import_never_silently_replaces_an_item_with_the_same_id(
    bot: Assistant, home: Path
) -> None:
    _ask(bot, "I loved The Hunger Games")
    mine = home / "mine.csv"
    mine.write_text("id,title\n1,My Own Book\n2000000,Another\n")

    refused = _import(home, str(mine))
    assert refused.exit_code == 1, refused.output
    assert "book:1 (The Hunger Games)" in refused.output
    assert "Nothing was imported" in refused.output and "--replace" in refused.output
    assert "Traceback" not in refused.output
    assert TasteStore(bot.database).items() == []

    as_films = _import(home, str(mine), "--kind", "film")  # film:1 is free
    assert as_films.exit_code == 0, as_films.output
    assert "Imported 2 items" in as_films.output and "Replaced" not in as_films.output

    again = _import(home, str(mine), "--kind", "film")  # imported before: same rule
    assert again.exit_code == 1 and "film:1 (My Own Book)" in again.output

    replaced = _import(home, str(mine), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "Replaced 1 existing item with the same id: book:1" in replaced.output
    assert "The Hunger Games -> My Own Book" in replaced.output
    listed = CliRunner().invoke(
        app,
        ["catalog", "list", "--kind", "book", "--limit", "5000", "--home", str(home)],
    )
    rows = [line.split(None, 1) for line in listed.output.splitlines()]
    assert [row[1] for row in rows if row[0] == "book:1"] == ["My Own Book"]


def test_an_import_reports_rows_that_repeat_an_id(home: Path) -> None:
    films = home / "dupes.csv"
    films.write_text(
        "id,title,kind\nf1,Alien,film\nf2,Up,film\nf1,Aliens,film\nf1,Alien 3,film\n"
    )
    result = _import(home, str(films))
    assert result.exit_code == 0, result.output
    assert "Imported 2 items" in result.output
    assert (
        "Skipped 2 duplicate rows (the first row of each id is kept)" in result.output
    )
    assert "line 4 (film:f1, first on line 2), line 5 (film:f1" in result.output
    with Assistant(home=home) as bot:
        titles = {i.key: i.title for i in TasteStore(bot.database).items()}
    assert titles == {"film:f1": "Alien", "film:f2": "Up"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.jsonl", '{"id": 1, "title": "a"}\n\n{"id": 2, "title": "b", "tags": 5}\n',
         "x.jsonl, line 3: tags must be a list of words"),
        ("x.jsonl", '{"id": 1, "title": "a", "year": 1e300}\n', "line 1: the year"),
        ("x.csv.gz", "id,title\n1,a\n", "x.csv.gz is not a gzip file"),
        ("x.csv", 'id,title\n7,"Unclosed\n8,b\n', "x.csv, line 2: a quote"),
    ],
)  # fmt: skip
def test_bad_fields_are_clear_errors_and_import_nothing(
    home: Path, name: str, content: str, message: str
) -> None:
    path = home / name
    path.write_text(content)
    result = _import(home, str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    with Assistant(home=home) as bot:
        assert TasteStore(bot.database).items() == []


def test_an_item_with_id_zero_and_a_long_description_is_imported(home: Path) -> None:
    path = home / "zero.jsonl"
    long = "a quiet story " * 20_000
    path.write_text(f'{{"id": 0, "title": "Zero Hour", "description": "{long}"}}\n')
    result = _import(home, str(path), "--kind", "film")
    assert result.exit_code == 0, result.output
    assert "Imported 1 item from" in result.output
    with Assistant(home=home) as bot:
        (item,) = TasteStore(bot.database).items()
    assert item.key == "film:0" and item.description == long.strip()
