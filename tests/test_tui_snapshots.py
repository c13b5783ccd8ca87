"""SVG snapshots of the chat window's main screens (pytest-textual-snapshot).

The clock is fixed, the cursor does not blink and the intent line (whose
confidence depends on training) is hidden, so the pictures do not change from
run to run. Update them after a deliberate change with
``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_support import idle, make_app, send, wait_until

from assistant.bot import Assistant
from assistant.events import Event
from assistant.tui.widgets import ChatInput, ReminderAlert

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


def conversation(*texts: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        app.query_one(ChatInput).cursor_blink = False  # a blinking cursor would vary
        await wait_until(pilot, idle(app))
        app.action_toggle_intents()
        for text in texts:
            await send(pilot, app, text)

    return run_before


def test_conversation_80x24(snap_compare: SnapCompare, bot: Assistant) -> None:
    app = make_app(bot)
    run_before = conversation("what time is it", "what can you do")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_reminder_alert_with_panel(snap_compare: SnapCompare, bot: Assistant) -> None:
    app = make_app(bot, show_panel=True)

    async def run_before(pilot: Pilot[Any]) -> None:
        await conversation("what time is it")(pilot)
        data = {"reminder_id": 3, "task": "stretch", "due": "", "late": True}
        bot.events.publish(Event("reminder.due", "default", "Reminder: stretch", data))
        await wait_until(pilot, lambda: bool(app.query(ReminderAlert)))
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 34), run_before=run_before)


def test_intent_picker(snap_compare: SnapCompare, bot: Assistant) -> None:
    app = make_app(bot)

    async def run_before(pilot: Pilot[Any]) -> None:
        await conversation("what time is it")(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_light_theme(snap_compare: SnapCompare, bot: Assistant) -> None:
    app = make_app(bot, theme="light")
    run_before = conversation("what's the date")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
