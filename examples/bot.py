"""A chat bot in 20 lines: read messages, answer them, take thumbs up or down.

python examples/bot.py
"""

from __future__ import annotations

from assistant import Assistant


def _read_line() -> str:
    try:
        return input("> ").strip()
    except EOFError:
        return ""


with Assistant() as bot:
    print("Say something ('+' or '-' rates the last answer, empty line quits).")
    last = None
    while line := _read_line():
        if line in {"+", "-"} and last is not None:
            bot.feedback(last.turn_id, rating=1 if line == "+" else -1)
            print("Thanks for the feedback.")
            continue
        last = bot.respond(line, user="example")
        print(f"{last.text}   [{last.intent} {last.confidence:.2f}]")
