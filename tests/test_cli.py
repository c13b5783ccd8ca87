"""The ``assistant`` command, run as a user runs it: a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant


def run(
    home: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_CONVERSATION__TIMEZONE": "UTC",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
    )


def test_help_and_version(tmp_path: Path) -> None:
    shown = run(tmp_path, "--help")
    assert shown.returncode == 0
    assert "ask" in shown.stdout and "train" in shown.stdout
    version = run(tmp_path, "--version")
    assert version.stdout.startswith("assistant ")


def test_ask_json(home: Path) -> None:
    done = run(home, "ask", "what time is it", "--json", "--user", "zoe")
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["intent"] == "time.now"
    assert reply["user"] == "zoe"
    assert reply["turn_id"] >= 1
    assert "Traceback" not in done.stderr


def test_ask_plain_text_from_stdin_with_invalid_utf8(home: Path) -> None:
    done = run(home, "ask", stdin=b"hello there \xff\xfe\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_empty_message_is_a_clear_error(home: Path) -> None:
    done = run(home, "ask", "   ")
    assert done.returncode == 1
    assert "empty" in done.stdout.lower()
    assert "Traceback" not in done.stderr


def test_corrupt_database_is_moved_aside_and_reported(home: Path) -> None:
    (home / "assistant.db").write_bytes(b"this is not a database" * 100)
    done = run(home, "ask", "hello")
    assert done.returncode == 0, done.stderr
    assert "moved" in done.stderr
    moved = list(home.glob("assistant.db.corrupt-*"))
    assert moved and moved[0].read_bytes().startswith(b"this is not a database")


def test_invalid_config_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[intents]\nthreshold = 'high'\n")
    done = run(tmp_path, "ask", "hello")
    assert done.returncode == 1
    assert "threshold" in done.stderr and "Traceback" not in done.stderr


def test_intents_eval(home: Path, tmp_path: Path) -> None:
    labelled = tmp_path / "eval.tsv"
    labelled.write_text(
        "text\tintent\nwhat time is it\ttime.now\nhello\tchitchat.greet\n"
        "what's the weather in oslo\tout_of_scope\n"
        "remind me to pay rent\treminder.create\n"
    )
    done = run(home, "intents", "eval", str(labelled), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["total"] == 4
    assert report["accuracy"] == 1.0
    assert report["per_intent"]["time.now"]["recall"] == 1.0


def test_intents_eval_missing_file(home: Path) -> None:
    done = run(home, "intents", "eval", str(home / "nope.tsv"))
    assert done.returncode == 1
    assert "Cannot read" in done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="unshare -n is Linux only")
def test_answers_with_no_network(home: Path) -> None:
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("unshare -n is not permitted here (needs root or user namespaces)")
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    done = subprocess.run(
        [
            "unshare",
            "-n",
            sys.executable,
            "-m",
            "assistant",
            "ask",
            "what time is it",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["intent"] == "time.now"


def test_chat_reads_lines_until_quit(home: Path) -> None:
    done = run(home, "chat", stdin=b"hello\n\nwhat time is it\nquit\nnever read\n")
    assert done.returncode == 0, done.stderr
    answers = [line for line in done.stdout.splitlines() if "assistant>" in line]
    assert len(answers) == 3  # the empty line gets a clear "say something" reply
    assert "empty" in answers[1].lower()


def test_chat_ends_cleanly_at_end_of_input(home: Path) -> None:
    done = run(home, "chat", stdin=b"hello\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_feedback_export_import_stats_and_forget(home: Path, tmp_path: Path) -> None:
    asked = run(home, "ask", "what time is it", "--json", "--user", "kim")
    turn = json.loads(asked.stdout)["turn_id"]
    with Assistant(home=home) as bot:
        bot.feedback(turn, correct_intent="time.now")
    exported = tmp_path / "feedback.jsonl"

    done = run(home, "feedback", "export", str(exported))
    assert done.returncode == 0, done.stderr
    assert exported.stat().st_mode & 0o077 == 0
    assert json.loads(exported.read_text())["turn"]["user"] == "kim"
    stats = run(home, "stats", "--json")
    assert json.loads(stats.stdout)["feedback"]["corrections"] == 1
    forgot = run(home, "forget", "--user", "kim", "--yes")
    assert forgot.returncode == 0 and "1 turns" in forgot.stdout, forgot.stderr
    assert json.loads(run(home, "stats", "--json").stdout)["turns"] == 0

    imported = run(home, "feedback", "import", str(exported))
    assert imported.returncode == 0 and "Imported 1" in imported.stdout
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{oops\n")
    refused = run(home, "feedback", "import", str(broken))
    assert refused.returncode == 1
    assert "Line 1" in refused.stderr and "Traceback" not in refused.stderr
