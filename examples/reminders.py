"""Reminders for a bot: set one by talking, get it back when it is due.

python examples/reminders.py
"""

from __future__ import annotations

import time

from assistant import Assistant

with Assistant() as bot:
    bot.listen(lambda event: print(f"[{event.kind}] {event.text} {event.data}"))
    bot.reminders.start()  # delivers in a background thread; bot.close() stops it

    reply = bot.respond("remind me in 3 seconds to stretch", user="example")
    print(reply.text)
    print("stored:", reply.data["reminder_id"], reply.data["due"], reply.data["zone"])
    for reminder in bot.reminders.upcoming("example"):
        print("upcoming:", reminder.id, reminder.task, reminder.due.isoformat())

    time.sleep(5)  # the event is printed by the listener above
    print(bot.respond("done", user="example").text)
