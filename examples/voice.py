"""Speak to the assistant: answer an audio file, then one utterance from the mic.

python examples/voice.py question.wav
"""

from __future__ import annotations

import sys

from assistant import Assistant, AssistantError
from assistant.voice.microphone import record_utterance

with Assistant() as bot:
    for path in sys.argv[1:]:
        reply = bot.respond_audio(path, user="example")
        print(f"heard: {reply.data.get('transcript', {}).get('text', '')!r}")
        print(f"reply: {reply.text}")

    print("Say something (10 s)...")
    try:
        samples = record_utterance(max_seconds=10, wait_seconds=10)
    except AssistantError as error:  # no microphone
        sys.exit(str(error))
    if samples is None:
        print("Nothing was said.")
    else:
        print(bot.respond_audio(samples, user="example").text)
