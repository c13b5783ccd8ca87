"""``assistant reminders``: the reminders that are still to come."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from assistant.bot import Assistant
    from assistant.events import Event

__all__ = ["show_due_reminders", "show_reminders"]


def show_due_reminders(bot: Assistant, user: str) -> None:
    """Print ``user``'s reminders as they come due, from a background thread."""

    def show(event: Event) -> None:
        if event.user == user:
            typer.echo(f"\n** {event.text} **")

    bot.listen(show)
    bot.reminders.start()


def show_reminders(bot: Assistant, *, user: str, limit: int, as_json: bool) -> None:
    """Print ``user``'s upcoming reminders, soonest first, in their time zone."""
    from assistant.skills.reminders.scheduler import when_words
    from assistant.skills.reminders.store import to_iso

    reminders = bot.reminders.upcoming(user, limit=limit)
    if as_json:
        rows = [
            {
                "id": r.id,
                "task": r.task,
                "due": to_iso(r.due),
                "due_local": r.due.isoformat(),
                "recurrence": r.recurrence,
            }
            for r in reminders
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not reminders:
        typer.echo("No reminders.")
        return
    for r in reminders:
        repeat = f"  ({r.recurrence})" if r.recurrence else ""
        typer.echo(f"{r.id:>5}  {when_words(r.due)}  {r.task}{repeat}")
