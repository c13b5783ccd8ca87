"""Reminders: natural-language times in the user's zone, delivered exactly once.

:class:`ReminderSkill` answers the ``reminder.*`` intents;
:class:`ReminderService` (``Assistant.reminders``) stores, lists, snoozes,
cancels and delivers reminders for library users and the chat UI.
"""

from __future__ import annotations

from assistant.skills.reminders.parse import Request, parse_request
from assistant.skills.reminders.scheduler import ReminderError, ReminderService
from assistant.skills.reminders.skill import ReminderSkill
from assistant.skills.reminders.store import Reminder

__all__ = [
    "Reminder",
    "ReminderError",
    "ReminderService",
    "ReminderSkill",
    "Request",
    "parse_request",
]
