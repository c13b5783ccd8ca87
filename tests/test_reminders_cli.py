"""``assistant reminders``: the list, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.events import EventBus
from assistant.phrases import Phrases
from assistant.skills.reminders import ReminderService
from assistant.storage import Database


def test_reminders_command_lists_what_is_to_come(tmp_path: Path) -> None:
    database = Database(tmp_path / "assistant.db")
    service = ReminderService(database, EventBus(), Phrases())
    due = datetime.now(ZoneInfo("Europe/Paris")).replace(microsecond=0) + timedelta(
        days=1
    )
    service.add(user="ann", task="call mum", due=due)
    service.add(user="bob", task="not ann's", due=due)
    database.close()

    env = {**os.environ, "ASSISTANT_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "assistant", "reminders", "--user", "ann"]
    shown = subprocess.run(
        [*command, "--json"], capture_output=True, text=True, env=env, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    (row,) = json.loads(shown.stdout)
    assert row["task"] == "call mum"
    assert datetime.fromisoformat(row["due_local"]) == due

    plain = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120
    )
    assert "call mum" in plain.stdout and f"{due:%H:%M}" in plain.stdout
    assert "Traceback" not in plain.stderr
