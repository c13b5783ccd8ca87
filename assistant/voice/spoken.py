"""Answering speech: transcribe, then answer, or first ask "Did you say ...?".

A transcript Whisper is unsure of (confidence below ``voice.confirm_below``)
is not acted on: the assistant asks whether it heard right and keeps the
words as a pending question; "yes" then answers them, "no" drops them.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant.errors import InputError
from assistant.reply import Reply
from assistant.skills.base import PendingQuestion, SkillReply
from assistant.storage import TurnRecord
from assistant.utterance import clean_user
from assistant.voice.audio import AudioSource

if TYPE_CHECKING:
    from assistant.bot import Assistant
    from assistant.intents.model import Decision
    from assistant.skills.base import Conversation
    from assistant.voice.transcript import Transcript

__all__ = ["OWNER", "respond_audio", "resume"]

OWNER = "voice"
"""Owner of the "Did you say ...?" pending question."""

_YES = re.compile(r"^\s*(yes|yeah|yep|yup|correct|right|that's right|exactly)\b", re.I)
_NO = re.compile(r"^\s*(no|nope|wrong|not really)\b", re.I)


def respond_audio(
    bot: Assistant,
    source: AudioSource,
    *,
    user: str,
    now: datetime | None = None,
) -> Reply:
    """Transcribe ``source`` and answer it as ``user`` (see module docstring)."""
    started = time.perf_counter()
    user = clean_user(user) or "default"
    try:
        transcript = bot.transcribe(source)
    except InputError as exc:
        return bot._reject(exc, _describe(source), user, started)

    heard = summary(transcript)
    conversation = bot._conversation(user)
    if transcript.is_empty:
        text = bot.phrases.say("voice_nothing_heard")
        data: dict[str, Any] = {"error": "no_speech", "transcript": heard}
        turn_id = _log(bot, user, "", text, data, started, now)
        return Reply(text, None, 0.0, OWNER, data, turn_id, user)

    awaiting = conversation.pending is not None and conversation.pending.owner == OWNER
    confidence = transcript.confidence
    if confidence < bot.settings.voice.confirm_below and not awaiting:
        prompt = bot.phrases.say("voice_did_you_say", text=transcript.text)
        data = {"confirm": True, "transcript": heard}
        with bot._lock_for(conversation):
            conversation.pending = PendingQuestion(
                OWNER, prompt, {"text": transcript.text}
            )
            conversation.remember(transcript.text, prompt)
        turn_id = _log(bot, user, transcript.text, prompt, data, started, now)
        return Reply(prompt, None, 0.0, OWNER, data, turn_id, user)

    reply = bot.respond(transcript.text, user=user, now=now)
    data = {**reply.data, "transcript": heard}
    with bot.database.transaction() as connection:
        connection.execute(
            "UPDATE turns SET data = ? WHERE id = ?",
            (json.dumps(data, ensure_ascii=False), reply.turn_id),
        )
    return Reply(
        reply.text, reply.intent, reply.confidence, reply.skill, data,
        reply.turn_id, reply.user,
    )  # fmt: skip


def resume(
    bot: Assistant,
    pending: PendingQuestion,
    text: str,
    *,
    user: str,
    now: datetime,
    decision: Decision,
    conversation: Conversation,
) -> tuple[str, str, SkillReply] | None:
    """Take the answer to "Did you say ...?": act on the words, drop them, or
    ``None`` when the answer is something else (then it is a new request)."""
    affirmed = _YES.match(text) or (
        decision.intent == "dialog.affirm" and decision.kind != "out_of_scope"
    )
    denied = _NO.match(text) or (
        decision.intent == "dialog.deny" and decision.kind != "out_of_scope"
    )
    if affirmed and not denied:
        words = str(pending.payload["text"])
        _, again = bot.classifier.classify(words)
        return bot._route(words, user, now, again, conversation)
    if denied:
        return OWNER, decision.intent, SkillReply(bot.phrases.say("voice_say_again"))
    return None


def summary(transcript: Transcript) -> dict[str, Any]:
    """What a reply's ``data["transcript"]`` holds: JSON-serialisable."""
    data = transcript.to_dict()
    data["dropped"] = len(transcript.dropped)
    return data


def _log(
    bot: Assistant,
    user: str,
    text: str,
    reply: str,
    data: dict[str, Any],
    started: float,
    now: datetime | None,
) -> int:
    record = TurnRecord(
        user=user,
        text=text,
        reply=reply,
        skill=OWNER,
        data=data,
        latency_ms=(time.perf_counter() - started) * 1000,
    )
    return bot.database.add_turn(record, at=bot._now(now))


def _describe(source: AudioSource) -> str:
    if isinstance(source, str):
        return f"<audio {source}>"
    shape = getattr(source, "shape", None)
    if shape is not None:
        return f"<audio samples {tuple(shape)}>"
    return f"<audio {source}>"
