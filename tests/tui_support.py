"""Helpers for driving the chat window headless with Textual's pilot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.pilot import Pilot

from assistant.bot import Assistant
from assistant.tui.app import ChatApp
from assistant.tui.widgets import MessageView

FIXED_NOW = datetime(2026, 6, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))


def fixed_clock() -> datetime:
    return FIXED_NOW


def make_app(bot: Assistant | None = None, **options: object) -> ChatApp:
    """A window on ``bot`` with a fixed clock, dark theme and no microphone."""
    settings: dict[str, object] = {
        "clock": fixed_clock,
        "theme": "dark",
        "voice": False,
    }
    settings.update(options)
    return ChatApp(bot=bot, **settings)  # type: ignore[arg-type]


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], *, seconds: float = 30.0
) -> None:
    """Let the app run until ``condition`` holds; fail after ``seconds``."""
    steps = int(seconds / 0.05)
    for _ in range(steps):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError(f"Timed out after {seconds} s waiting for the app")


def idle(app: ChatApp) -> Callable[[], bool]:
    """True once the assistant is loaded and no turn is running or waiting."""
    return lambda: app.bot is not None and not app._busy and not app._queue


def messages(app: ChatApp, role: str) -> list[MessageView]:
    return [view for view in app.query(MessageView) if role in view.role.split()]


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` key by key, as a person would."""
    names = {" ": "space", "'": "apostrophe", "?": "question_mark", ",": "comma"}
    await pilot.press(*(names.get(char, char) for char in text))


async def send(pilot: Pilot[None], app: ChatApp, text: str) -> MessageView:
    """Type ``text``, press Enter and return the reply's view once it is shown."""
    before = len(messages(app, "bot"))
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_until(pilot, lambda: len(messages(app, "bot")) > before and idle(app)())
    return messages(app, "bot")[-1]
