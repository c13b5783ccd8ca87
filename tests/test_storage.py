from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import StorageError
from assistant.storage import MIGRATIONS, Database, TurnRecord


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "assistant.db")
    yield database
    database.close()


def turn(text: str = "hello", data: dict[str, Any] | None = None) -> TurnRecord:
    return TurnRecord(user="ann", text=text, reply="Hi!", data=data)


def count_turns(db: Database) -> int:
    return int(db.query("SELECT COUNT(*) AS n FROM turns")[0]["n"])


def test_add_turn_returns_increasing_ids(db: Database) -> None:
    ids = [db.add_turn(turn(f"message {i}")) for i in range(5)]

    assert ids == sorted(ids)
    assert len(set(ids)) == 5
    assert all(i > 0 for i in ids)


def test_add_turn_stores_every_field(db: Database) -> None:
    record = TurnRecord(
        user="ann",
        text="what time is it in tokyo",
        reply="It's 10:30 in Tokyo.",
        intent="time.now",
        confidence=0.91,
        runner_up="qa.ask",
        runner_up_confidence=0.04,
        skill="clock",
        data={"zone": "Asia/Tokyo", "place": "tokyo"},
        latency_ms=12.5,
        model_version="finetune-abc123",
    )
    at = datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("Europe/London"))

    turn_id = db.add_turn(record, at=at)
    [row] = db.query("SELECT * FROM turns WHERE id = ?", (turn_id,))

    assert row["user"] == "ann"
    assert row["text"] == "what time is it in tokyo"
    assert row["reply"] == "It's 10:30 in Tokyo."
    assert row["intent"] == "time.now"
    assert row["confidence"] == pytest.approx(0.91)
    assert row["runner_up"] == "qa.ask"
    assert row["runner_up_confidence"] == pytest.approx(0.04)
    assert row["skill"] == "clock"
    assert row["latency_ms"] == pytest.approx(12.5)
    assert row["model_version"] == "finetune-abc123"
    assert json.loads(row["data"]) == {"zone": "Asia/Tokyo", "place": "tokyo"}
    # 02:30 BST is 01:30 UTC; times are stored in UTC.
    assert datetime.fromisoformat(row["created_at"]) == at
    assert row["created_at"].startswith("2026-03-29T01:30:00")


def test_data_round_trips_as_json(db: Database) -> None:
    data = {
        "text": "café ☕ — 東京",
        "nested": {"list": [1, 2.5, None, True], "empty": {}},
        "count": 3,
    }

    turn_id = db.add_turn(turn(data=data))
    [row] = db.query("SELECT data FROM turns WHERE id = ?", (turn_id,))

    assert json.loads(row["data"]) == data
    assert "東京" in row["data"]  # stored readable, not \\u-escaped


def test_missing_data_is_stored_as_an_empty_object(db: Database) -> None:
    turn_id = db.add_turn(turn())
    [row] = db.query("SELECT data, intent FROM turns WHERE id = ?", (turn_id,))

    assert json.loads(row["data"]) == {}
    assert row["intent"] is None


def test_add_feedback_stores_a_row(db: Database) -> None:
    turn_id = db.add_turn(turn())

    first = db.add_feedback(turn_id, rating=-1, correct_intent="qa.ask", comment="no")
    second = db.add_feedback(turn_id, rating=1)
    rows = db.query("SELECT * FROM feedback ORDER BY id")

    assert second > first
    assert [r["id"] for r in rows] == [first, second]
    assert rows[0]["turn_id"] == turn_id
    assert rows[0]["rating"] == -1
    assert rows[0]["correct_intent"] == "qa.ask"
    assert rows[0]["comment"] == "no"
    assert rows[1]["rating"] == 1
    assert rows[1]["correct_intent"] is None
    assert datetime.fromisoformat(rows[0]["created_at"]).tzinfo is not None


def test_add_feedback_for_an_unknown_turn_raises(db: Database) -> None:
    db.add_turn(turn())

    with pytest.raises(StorageError, match="999"):
        db.add_feedback(999, rating=1)

    assert db.query("SELECT COUNT(*) FROM feedback")[0][0] == 0


def test_schema_version_matches_the_migrations(db: Database) -> None:
    assert db.schema_version == len(MIGRATIONS)


def test_journal_mode_is_wal(db: Database) -> None:
    assert db.query("PRAGMA journal_mode")[0][0] == "wal"


def test_garbage_file_is_moved_aside_and_a_new_database_started(
    tmp_path: Path,
) -> None:
    path = tmp_path / "assistant.db"
    garbage = b"this is not a database\x00\xff\xfe" * 200
    path.write_bytes(garbage)

    db = Database(path)
    try:
        assert db.recovered_from is not None
        assert db.recovered_from != path
        assert db.recovered_from.parent == path.parent
        assert db.recovered_from.read_bytes() == garbage
        assert db.schema_version == len(MIGRATIONS)
        turn_id = db.add_turn(turn())
        assert count_turns(db) == 1
        assert db.query("SELECT text FROM turns WHERE id = ?", (turn_id,))[0][0] == (
            "hello"
        )
    finally:
        db.close()


def test_healthy_database_is_not_recovered(db: Database) -> None:
    assert db.recovered_from is None
    assert not list(db.path.parent.glob("*.corrupt-*"))


def test_database_newer_than_the_code_raises(tmp_path: Path) -> None:
    path = tmp_path / "assistant.db"
    newer = len(MIGRATIONS) + 1
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {newer}")
    conn.close()

    with pytest.raises(StorageError, match="newer"):
        Database(path)

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == newer
    finally:
        conn.close()
    assert not list(tmp_path.glob("*.corrupt-*"))  # not treated as damage


def test_reopening_keeps_earlier_turns(tmp_path: Path) -> None:
    path = tmp_path / "assistant.db"
    db = Database(path)
    first_ids = [db.add_turn(turn(f"before {i}")) for i in range(3)]
    db.close()

    db = Database(path)
    try:
        later = db.add_turn(turn("after"))
        texts = [r["text"] for r in db.query("SELECT text FROM turns ORDER BY id")]
        assert texts == ["before 0", "before 1", "before 2", "after"]
        assert later > max(first_ids)
        assert db.recovered_from is None
    finally:
        db.close()


def test_turns_from_many_threads_all_arrive(db: Database) -> None:
    threads_count, per_thread = 8, 25
    ids: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def write(worker: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                ids.append(db.add_turn(turn(f"worker {worker} turn {i}")))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert errors == []
    assert count_turns(db) == threads_count * per_thread
    assert len(set(ids)) == threads_count * per_thread


WRITE_AND_DIE = """
import os, signal, sys
from pathlib import Path
from assistant.storage import Database, TurnRecord

db = Database(Path(sys.argv[1]))
for i in range(50):
    db.add_turn(TurnRecord(user="ann", text=f"turn {i}", reply="ok"))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_committed_turns_survive_a_hard_kill(tmp_path: Path) -> None:
    path = tmp_path / "assistant.db"

    result = subprocess.run(
        [sys.executable, "-c", WRITE_AND_DIE, str(path)],
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    db = Database(path)
    try:
        assert db.recovered_from is None
        assert count_turns(db) == 50
        texts = [r["text"] for r in db.query("SELECT text FROM turns ORDER BY id")]
        assert texts == [f"turn {i}" for i in range(50)]
    finally:
        db.close()


NOTES_MIGRATIONS = (
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    "ALTER TABLE notes ADD COLUMN user TEXT; CREATE INDEX notes_user ON notes(user)",
)


def test_a_component_migrates_its_own_tables_once(tmp_path: Path) -> None:
    path = tmp_path / "assistant.db"
    with_first = Database(path)
    with_first.migrate("notes", NOTES_MIGRATIONS[:1])
    with with_first.transaction() as conn:
        conn.execute("INSERT INTO notes (body) VALUES ('kept')")
    with_first.close()

    db = Database(path)
    db.migrate("notes", NOTES_MIGRATIONS)
    db.migrate("notes", NOTES_MIGRATIONS)

    assert db.component_version("notes") == 2
    assert db.component_version("other") == 0
    rows = db.query("SELECT body, user FROM notes")
    assert [(row["body"], row["user"]) for row in rows] == [("kept", None)]
    db.close()


def test_a_failing_component_migration_changes_nothing(db: Database) -> None:
    broken = (*NOTES_MIGRATIONS, "CREATE TABLE notes (id INTEGER)")

    with pytest.raises(StorageError):
        db.migrate("notes", broken)

    assert db.component_version("notes") == 0
    assert db.query("SELECT name FROM sqlite_master WHERE name = 'notes'") == []


def test_a_newer_component_schema_is_refused(db: Database) -> None:
    db.migrate("notes", NOTES_MIGRATIONS)

    with pytest.raises(StorageError, match="newer than this program"):
        db.migrate("notes", NOTES_MIGRATIONS[:1])
