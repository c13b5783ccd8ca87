"""Speech input: audio files and the microphone become text for the assistant.

```python
from assistant import Assistant
bot = Assistant()
print(bot.transcribe("question.wav").text)
reply = bot.respond_audio("question.wav", user="alice")
print(reply.text, reply.data["transcript"]["text"])
```

Whisper (tiny.en by default, from a PyPI package) runs behind Silero VAD and
its own no-speech and repetition signals, so silence and noise give no words.
Importing this package is light; Whisper loads on first use.
"""

from __future__ import annotations

from assistant.voice.audio import SAMPLE_RATE, load_audio
from assistant.voice.errors import AudioError, MicrophoneError, SpeechModelError
from assistant.voice.transcriber import Transcriber
from assistant.voice.transcript import Segment, Transcript

__all__ = [
    "SAMPLE_RATE",
    "AudioError",
    "MicrophoneError",
    "Segment",
    "SpeechModelError",
    "Transcriber",
    "Transcript",
    "load_audio",
]
