"""Drive the chat window from a script and save SVG screenshots of it.

Runs the real assistant headless (Textual's pilot), types a few messages and
saves what the window shows; the README's pictures in ``docs/screenshots``
come from here.

    python examples/chat_screenshots.py [--home DIR] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.pilot import Pilot

from assistant.bot import Assistant
from assistant.events import Event
from assistant.tui.app import ChatApp
from assistant.tui.screens import SourceViewer
from assistant.tui.widgets import ChatInput, MessageView

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(3600):
        if condition():
            return
        await pilot.pause(0.05)
    raise TimeoutError("the window did not get there in 3 minutes")


async def say(pilot: Pilot[None], app: ChatApp, *texts: str) -> None:
    """Send each message and wait for its reply."""
    for text in texts:
        shown = len(app.query(MessageView))
        app.query_one(ChatInput).load_text(text)
        await pilot.press("enter")
        await until(pilot, lambda n=shown: len(app.query(MessageView)) >= n + 2)
    await pilot.pause(0.3)


async def shoot(bot: Assistant, out: Path, theme: str, size: tuple[int, int]) -> None:
    app = ChatApp(bot=bot, clock=lambda: NOW, theme=theme, voice=False)
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(pilot, lambda: app.bot is not None)
        await say(pilot, app, "what time is it in Tokyo", "what can you do")
        app.save_screenshot(f"chat-{theme}.svg", path=str(out))

        app.action_clear()
        await until(pilot, lambda: not app.query(MessageView))
        await say(pilot, app, "something like The Hobbit", "where is my data stored?")
        app.save_screenshot(f"skills-{theme}.svg", path=str(out))

        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, SourceViewer))
        await pilot.pause(0.3)
        app.save_screenshot(f"source-{theme}.svg", path=str(out))
        await pilot.press("escape")
        await pilot.pause(0.1)

        data = {"reminder_id": 1, "task": "stretch", "due": "", "late": False}
        bot.events.publish(Event("reminder.due", "default", "Reminder: stretch", data))
        await pilot.pause(0.3)
        app.save_screenshot(f"reminder-{theme}.svg", path=str(out))

        app.clear_notifications()
        await pilot.press("ctrl+o")
        await pilot.pause(0.3)
        app.save_screenshot(f"meant-{theme}.svg", path=str(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with Assistant(home=args.home, config={"conversation": {"timezone": "UTC"}}) as bot:
        asyncio.run(shoot(bot, args.out, "dark", (100, 30)))
        asyncio.run(shoot(bot, args.out, "light", (100, 30)))
    print(f"Screenshots saved in {args.out}")


if __name__ == "__main__":
    main()
