"""`assistant chat` in a real terminal under tmux.

tmux runs it, send-keys types and pastes, capture-pane reads the screen.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("tmux") is None,
        reason="tmux is not installed (apt-get install tmux; .ci/run installs it)",
    ),
]


class Terminal:
    """A tmux session on a private server running one command."""

    def __init__(self, command: list[str], *, width: int = 100, height: int = 30):
        self.server = f"assistant-test-{os.getpid()}-{time.monotonic_ns()}"
        line = " ".join(_quote(part) for part in command)
        self.tmux(
            "new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height),
            "-e", "COLORTERM=truecolor", line,
        )  # fmt: skip
        self.tmux("set-option", "-t", "app", "remain-on-exit", "on")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.server, *args],
            capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, *, seconds: float = 90.0) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{shown}")

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "app", "-l", text)

    def press(self, key: str) -> None:
        self.tmux("send-keys", "-t", "app", key)

    def paste(self, text: str) -> None:
        """Paste as a terminal does: bracketed, when the program asked for it."""
        self.tmux("set-buffer", "-b", "clip", text)
        self.tmux("paste-buffer", "-p", "-d", "-b", "clip", "-t", "app")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.server, "kill-server"], capture_output=True)


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


@pytest.fixture
def terminal(home: Path) -> Iterator[Terminal]:
    command = [sys.executable, "-m", "assistant", "chat", "--home", str(home)]
    session = Terminal(command)
    try:
        yield session
    finally:
        session.close()


def test_chat_answers_in_a_real_terminal(terminal: Terminal, home: Path) -> None:
    terminal.wait_for("Ready.")
    terminal.type("what time is it")
    terminal.press("Enter")
    screen = terminal.wait_for("It's ")
    assert "what time is it" in screen

    terminal.paste("buy milk\nbuy eggs\nbuy bread")
    terminal.wait_for("buy bread")
    terminal.press("Enter")
    terminal.wait_for("you ·", seconds=10)
    _wait_for_turns(home / "assistant.db", 2)

    terminal.press("C-q")
    time.sleep(1.0)
    after = terminal.screen()
    assert "Traceback" not in after
    log = home / "logs" / "assistant.log"
    assert log.is_file()

    with closing(sqlite3.connect(home / "assistant.db")) as db:
        texts = [row[0] for row in db.execute("SELECT text FROM turns ORDER BY id")]
    assert texts[0] == "what time is it"
    assert texts[1].split() == ["buy", "milk", "buy", "eggs", "buy", "bread"]


def _wait_for_turns(database: Path, count: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(database)) as db:
            (found,) = db.execute("SELECT count(*) FROM turns").fetchone()
        if found >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"Only {found} turns were logged, expected {count}")


def test_plain_flag_keeps_the_line_by_line_chat(home: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "assistant",
        "chat",
        "--plain",
        "--home",
        str(home),
    ]
    session = Terminal(command)
    try:
        session.wait_for("you>")
        session.type("what time is it")
        session.press("Enter")
        screen = session.wait_for("assistant> It's")
        assert "Quit" not in screen  # no window, no footer
    finally:
        session.close()
