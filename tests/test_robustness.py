"""Bad input, damaged files and concurrent use: clear errors, nothing lost."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant, AssistantError
from assistant.config import load_settings
from assistant.errors import ConfigError, InputError, ModelError, StorageError
from assistant.intents.evaluation import read_labelled
from assistant.intents.model import IntentModel
from assistant.storage import MIGRATIONS, Database, TurnRecord
from assistant.utterance import clean_text, clean_user


def test_damaged_database_moved_aside_twice_keeps_both(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    for content in (b"first garbage" * 50, b"second garbage" * 50):
        path.write_bytes(content)
        Database(path).close()
    kept = sorted(p.read_bytes()[:6] for p in tmp_path.glob("a.db.corrupt-*"))
    assert kept == [b"first ", b"second"]


def test_new_database_opened_by_many_processes_at_once(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from assistant.storage import Database;"
        "Database(Path(sys.argv[1])).close()"
    )
    path = str(tmp_path / "shared.db")
    procs = [subprocess.Popen([sys.executable, "-c", code, path]) for _ in range(6)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 6
    assert Database(Path(path)).schema_version == len(MIGRATIONS)


def test_sqlite_file_of_another_program_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="another program"):
        Database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]


def test_database_deleted_while_open_is_recreated(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = Database(path)
    db.add_turn(TurnRecord(user="u", text="one", reply="r"))
    for file in tmp_path.glob("a.db*"):
        file.unlink()
    db.add_turn(TurnRecord(user="u", text="two", reply="r"))
    db.close()
    rows = Database(path).query("SELECT text FROM turns")
    assert [r["text"] for r in rows] == ["two"]


def test_lone_surrogates_become_replacement_characters() -> None:
    assert clean_text("hi \ud800 there", max_chars=100) == "hi \ufffd there"
    assert clean_text("caf\udce9", max_chars=100) == "caf\ufffd"


def test_binary_and_non_text_input_are_refused() -> None:
    with pytest.raises(InputError) as binary:
        clean_text(bytes(range(128, 256)) * 3, max_chars=10_000)
    assert binary.value.reason == "binary_input"
    for value in (None, 12345, ["hi"]):
        with pytest.raises(InputError) as wrong:
            clean_text(value, max_chars=100)
        assert wrong.value.reason == "invalid_input"
    assert clean_text(bytearray(b"hello"), max_chars=100) == "hello"


def test_user_names_are_cleaned() -> None:
    assert clean_user(None) is None
    assert clean_user("  ") is None
    assert clean_user(b"alice") == "alice"
    assert clean_user("bob\x00\n") == "bob"
    assert clean_user("\udcffbob") == "\ufffdbob"
    assert len(clean_user("x" * 10_000) or "") == 200


@pytest.mark.parametrize(
    "meta", ["[1, 2]", '{"labels": 5}', '{"labels": ["a"], "max_tokens": "abc"}', "{"]
)
def test_damaged_model_folder_is_a_model_error(tmp_path: Path, meta: str) -> None:
    (tmp_path / "meta.json").write_text(meta)
    (tmp_path / "head.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelError):
        IntentModel(tmp_path)


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_bytes(b"[intents]\nthreshold = 0.5 # caf\xe9\n")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(tmp_path)


def test_malformed_environment_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_INTENTS", "notjson")
    with pytest.raises(ConfigError):
        load_settings(tmp_path)


def test_eval_file_with_a_very_long_line(tmp_path: Path) -> None:
    path = tmp_path / "long.tsv"
    path.write_text("x" * 200_000 + "\tout_of_scope\nhello\tchitchat.greet\n")
    assert len(read_labelled(path)) == 2


def test_library_bad_calls_give_replies_or_clear_errors(bot: Assistant) -> None:
    for value in (None, 12345):
        reply = bot.respond(value)  # type: ignore[arg-type]
        assert reply.intent is None and reply.data["error"] == "invalid_input"
    assert bot.respond("what time is it \ud800").intent == "time.now"
    assert bot.respond("hello", user=None).user == "default"  # type: ignore[arg-type]

    huge = bot.respond("y" * 1_000_000)
    stored = bot.database.query(
        "SELECT text, data FROM turns WHERE id = ?", (huge.turn_id,)
    )
    assert len(stored[0]["text"]) == bot.settings.conversation.max_chars
    assert json.loads(stored[0]["data"])["length"] == 1_000_000

    turn = bot.respond("hello").turn_id
    for bad in ({"rating": True}, {"rating": 2.0}, {"comment": object()}):
        with pytest.raises(InputError):
            bot.feedback(turn, **bad)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        bot.feedback(2**70, rating=1)

    bot.close()
    with pytest.raises(AssistantError, match="closed"):
        bot.respond("hello")


def test_component_tables_come_back_when_the_file_is_deleted(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = Database(path)
    db.migrate("notes", ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",))
    for file in tmp_path.glob("a.db*"):
        file.unlink()

    assert db.query("SELECT body FROM notes") == []  # reading reopens too
    with db.transaction() as conn:
        conn.execute("INSERT INTO notes (body) VALUES ('after')")
    assert [row["body"] for row in db.query("SELECT body FROM notes")] == ["after"]
    db.close()


def test_undecodable_text_is_declined_and_logged_readably(bot: Assistant) -> None:
    reply = bot.respond("\udcff\udcfe\udcfd bad")

    assert reply.data["error"] == "binary_input"
    (row,) = bot.database.query("SELECT text FROM turns WHERE id = ?", (reply.turn_id,))
    assert row["text"] == "\ufffd\ufffd\ufffd bad"


@pytest.mark.parametrize("nobody", ["", "   ", None])
def test_forget_refuses_an_empty_user_name(bot: Assistant, nobody: object) -> None:
    kept = bot.respond("hello").turn_id

    with pytest.raises(InputError, match="user name is empty"):
        bot.forget(nobody)  # type: ignore[arg-type]

    assert bot.database.query("SELECT id FROM turns WHERE id = ?", (kept,))
