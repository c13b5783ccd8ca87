"""The SQLite database: every turn and every piece of feedback.

One file, ``<home>/assistant.db``, in WAL mode so that a killed process loses
no committed turn. The schema carries a version (``PRAGMA user_version``) and
is brought up to date by the migrations below, each in its own transaction.
A file that is not a readable database is moved aside, never overwritten.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import StorageError

__all__ = ["Database", "TurnRecord"]

logger = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    # 1: turns and feedback
    """
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        user TEXT NOT NULL,
        text TEXT NOT NULL,
        intent TEXT,
        confidence REAL,
        runner_up TEXT,
        runner_up_confidence REAL,
        skill TEXT,
        reply TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        latency_ms REAL,
        model_version TEXT
    );
    CREATE INDEX turns_user ON turns(user, id);
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        created_at TEXT NOT NULL,
        rating INTEGER CHECK (rating IN (-1, 0, 1)),
        correct_intent TEXT,
        comment TEXT
    );
    CREATE INDEX feedback_turn ON feedback(turn_id);
    """,
    # 2: schema versions of the parts (skills) that own their own tables
    """
    CREATE TABLE components (
        name TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    );
    """,
)


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One logged turn, as it is stored."""

    user: str
    text: str
    reply: str
    intent: str | None = None
    confidence: float | None = None
    runner_up: str | None = None
    runner_up_confidence: float | None = None
    skill: str | None = None
    data: dict[str, Any] | None = None
    latency_ms: float | None = None
    model_version: str | None = None


class Database:
    """A thread-safe handle on the assistant's SQLite file.

    Args:
        path: the database file; created with its folder when missing.

    Attributes:
        recovered_from: where a damaged file was moved, when that happened on open.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        self._lock = threading.RLock()
        self._components: dict[str, tuple[str, ...]] = {}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open_or_recover()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"Cannot open the database {path}: {exc}") from exc
        self._identity = _identity(path)

    def _open_or_recover(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc) or not self._still_damaged():
                raise
        self.recovered_from = self._move_aside()
        return self._open()

    def _open(self) -> sqlite3.Connection:
        _create_private(self.path)
        conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=10
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed")
            if conn.execute("PRAGMA user_version").fetchone()[0]:
                conn.execute("SELECT id, user FROM turns LIMIT 0")  # ours?
            _migrate(conn)
            conn.execute("SELECT id, user FROM turns LIMIT 0")
            _make_private(self.path)
        except sqlite3.OperationalError as exc:
            conn.close()
            if "no such" in str(exc):
                raise StorageError(
                    f"{self.path} is an SQLite file of another program ({exc}); "
                    "move it away or set ASSISTANT_HOME to another folder."
                ) from exc
            raise
        except BaseException:
            conn.close()
            raise
        return conn

    def _still_damaged(self) -> bool:
        """Check again just before moving: another process may have recovered it."""
        try:
            conn = sqlite3.connect(self.path, timeout=10)
            try:
                return bool(conn.execute("PRAGMA quick_check").fetchone()[0] != "ok")
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return True

    def _move_aside(self) -> Path:
        """Move the damaged file (and its WAL) to a new name; never overwrite."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for attempt in itertools.count():
            suffix = f"-{attempt}" if attempt else ""
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}{suffix}")
            try:
                os.link(self.path, target)
                break
            except FileExistsError:
                continue
        self.path.unlink()
        for side_suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + side_suffix)
            if side.exists():
                side.replace(target.with_name(target.name + side_suffix))
        logger.info("Damaged database %s moved to %s", self.path, target)
        return target

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run statements in one transaction, committed on success.

        Raises:
            StorageError: the database cannot be written (read-only, disk full...).
        """
        with self._lock:
            self._reopen_if_replaced()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(f"Cannot write to {self.path}: {exc}") from exc
            try:
                yield self._conn
            except sqlite3.Error as exc:
                self._conn.execute("ROLLBACK")
                raise StorageError(f"Cannot write to {self.path}: {exc}") from exc
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StorageError(f"Cannot write to {self.path}: {exc}") from exc

    def _reopen_if_replaced(self) -> None:
        """Reopen when the file was deleted or replaced while we held it open."""
        if _identity(self.path) == self._identity:
            return
        logger.warning("%s was deleted or replaced; opening it again", self.path)
        self._conn.close()
        try:
            self._conn = self._open_or_recover()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"Cannot open the database {self.path}: {exc}") from exc
        self._identity = _identity(self.path)
        for component, migrations in self._components.items():
            self.migrate(component, migrations)  # the parts' tables, anew

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Read rows; each row is indexable by column name."""
        with self._lock:
            self._reopen_if_replaced()
            try:
                cursor = self._conn.execute(sql, params)
                cursor.row_factory = sqlite3.Row
                return cursor.fetchall()
            except sqlite3.Error as exc:
                raise StorageError(f"Cannot read {self.path}: {exc}") from exc

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, component: str, migrations: Sequence[str]) -> None:
        """Bring the tables owned by ``component`` up to date.

        Each part of the assistant that stores data (a skill, the feedback
        memory...) owns its tables and lists its own migrations, oldest first;
        migrations already applied are skipped. All run in one transaction.

        Raises:
            StorageError: the stored version is newer than ``migrations`` knows,
                or a statement fails.
        """
        self._components[component] = tuple(migrations)
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT version FROM components WHERE name = ?", (component,)
            ).fetchone()
            version = int(row[0]) if row else 0
            if version > len(migrations):
                raise StorageError(
                    f"The {component} tables have schema version {version}, newer "
                    f"than this program knows ({len(migrations)}). "
                    "Upgrade the assistant."
                )
            for number, script in enumerate(migrations[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO components (name, version) VALUES (?, ?)"
                    " ON CONFLICT(name) DO UPDATE SET version = excluded.version",
                    (component, number),
                )
                logger.info("%s tables migrated to version %d", component, number)

    def component_version(self, component: str) -> int:
        rows = self.query("SELECT version FROM components WHERE name = ?", (component,))
        return int(rows[0]["version"]) if rows else 0

    def add_turn(self, turn: TurnRecord, *, at: datetime | None = None) -> int:
        """Store a turn and return its id."""
        created = (at or datetime.now(UTC)).astimezone(UTC).isoformat()
        data = json.dumps(turn.data or {}, ensure_ascii=False)
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO turns (created_at, user, text, intent, confidence,"
                " runner_up, runner_up_confidence, skill, reply, data, latency_ms,"
                " model_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    created, turn.user, turn.text, turn.intent, turn.confidence,
                    turn.runner_up, turn.runner_up_confidence, turn.skill,
                    turn.reply, data, turn.latency_ms, turn.model_version,
                ),
            )  # fmt: skip
            return int(cursor.lastrowid or 0)

    def add_feedback(
        self,
        turn_id: int,
        *,
        rating: int | None = None,
        correct_intent: str | None = None,
        comment: str | None = None,
    ) -> int:
        """Store feedback on a turn and return its id.

        Raises:
            StorageError: no turn has this id.
        """
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM turns WHERE id = ?", (turn_id,)).fetchone():
                cursor = conn.execute(
                    "INSERT INTO feedback (turn_id, created_at, rating, correct_intent,"
                    " comment) VALUES (?, ?, ?, ?, ?)",
                    (turn_id, datetime.now(UTC).isoformat(), rating, correct_intent,
                     comment),
                )  # fmt: skip
                return int(cursor.lastrowid or 0)
        raise StorageError(f"There is no turn {turn_id} to give feedback on.")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the missing migrations in one transaction (safe with several processes)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StorageError(
                f"The database has schema version {version}, newer than this "
                f"program knows ({len(MIGRATIONS)}). Upgrade the assistant."
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in filter(str.strip, script.split(";")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            logger.info("Database migrated to schema version %d", number)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only (SQLite gives
    its -wal and -shm files the same permissions)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _make_private(path: Path) -> None:
    """Take group and other access away from the database and its side files."""
    for suffix in ("", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        try:
            if side.stat().st_mode & 0o077:
                side.chmod(0o600)
        except FileNotFoundError:
            continue
        except OSError as exc:  # not ours (a shared, read-only copy): say so, go on
            logger.warning("Cannot make %s private: %s", side, exc)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text
