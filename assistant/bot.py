"""The assistant: one turn in, one reply out, every turn logged."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import clarify
from assistant.config import Settings, load_settings
from assistant.errors import AssistantError, ConfigError, InputError
from assistant.events import EventBus, Listener
from assistant.feedback import FeedbackLoop
from assistant.intents.classifier import IntentClassifier
from assistant.intents.dataset import OUT_OF_SCOPE, load_intent_data
from assistant.intents.model import Decision, Prediction
from assistant.phrases import Phrases
from assistant.reply import Reply
from assistant.skills import (
    Feedback,
    ParsedTurn,
    SkillEnv,
    SkillReply,
    builtin_skills,
)
from assistant.skills.base import Conversation, PendingQuestion
from assistant.skills.feedback import FeedbackSkill
from assistant.skills.registry import build_registry, discover_plugins
from assistant.skills.reminders.scheduler import ReminderService
from assistant.storage import Database, TurnRecord
from assistant.timezones import user_zone
from assistant.utterance import clean_text, clean_user, printable
from assistant.voice import Transcriber

if TYPE_CHECKING:
    from assistant.voice.audio import AudioSource
    from assistant.voice.transcript import Transcript

__all__ = ["Assistant"]

logger = logging.getLogger(__name__)

DEFAULT_USER = "default"


class Assistant:
    """An offline assistant: classifies each message and lets a skill answer it.

    Models load lazily on the first message (training the intent model first
    if the cache has none). Safe to use from several threads.

    Args:
        home: the user data directory; default ``ASSISTANT_HOME`` or the
            platform's user data directory.
        config: settings to use, or a mapping of overrides by section, e.g.
            ``{"intents": {"threshold": 0.6}}``.
        progress: called with a line of text while the intent model trains.

    Raises:
        ConfigError: the configuration is invalid.
        StorageError: the database cannot be opened.
    """

    def __init__(
        self,
        home: Path | str | None = None,
        config: Settings | Mapping[str, Any] | None = None,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        if isinstance(config, Settings):
            self.settings = config
        elif config is None or isinstance(config, Mapping):
            self.settings = load_settings(home, **dict(config or {}))
        else:
            raise ConfigError("config must be Settings or a mapping of sections.")
        self.notices: list[str] = []
        """Things the user should know about, found while starting (moved files...)."""

        self.zone: tzinfo = user_zone(self.settings.conversation.timezone)
        self.database = Database(self.settings.database_path)
        self._closed = False
        if self.database.recovered_from is not None:
            self.notices.append(
                f"The database was damaged and has been moved to "
                f"{self.database.recovered_from}; a new one was started."
            )
        intents = load_intent_data(self.settings.user_intents_dir)
        self.notices.extend(intents.problems)
        self.classifier = IntentClassifier(self.settings, intents, progress=progress)
        self.phrases = Phrases()

        self.events = EventBus()
        """Where skills publish what happens outside a turn (see :meth:`listen`)."""
        env = SkillEnv(self.settings, self.database, self.phrases, intents, self.events)
        self.skill_env = env
        """What skills are built with; pass it to a skill you register yourself."""
        self.learning = FeedbackLoop(self.settings, self.database, self.classifier)
        """Corrections, the user's own intent layers, forget and stats."""
        spoken_feedback = FeedbackSkill(
            env, self.learning, record=self.feedback, dispatch=self._dispatch
        )
        plugins, problems = discover_plugins(env)
        self.notices.extend(problems)
        self.skills = build_registry([*builtin_skills(env), spoken_feedback, *plugins])
        env.abilities.extend(s.summary for s in self.skills.skills if s.summary)

        self.transcriber = Transcriber(self.settings.voice, self.settings.cache_dir)
        """Speech to text; Whisper loads on the first audio (see :meth:`transcribe`)."""

        self._conversations: dict[str, Conversation] = {}
        self._user_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def respond(
        self,
        text: str | bytes,
        *,
        user: str = DEFAULT_USER,
        now: datetime | None = None,
    ) -> Reply:
        """Answer one message from ``user``.

        Args:
            text: what the user typed or said.
            user: whose conversation this is; any name, created on first use.
            now: the current time (for tests and replays); naive times are read
                in the user's time zone.
        """
        self._check_open()
        started = time.perf_counter()
        user = clean_user(user) or DEFAULT_USER
        self._now(now)  # a wrong ``now`` is refused before anything is done
        conversation = self._conversation(user)
        with self._lock_for(conversation):
            try:
                cleaned = clean_text(
                    text, max_chars=self.settings.conversation.max_chars
                )
            except InputError as exc:
                return self._reject(exc, text, user, started)
            prediction, decision, version = self.learning.classify(cleaned, user)
            moment = self._now(now)  # after a first-use training, not before it
            skill_name, intent, reply = self._route(
                cleaned, user, moment, decision, conversation
            )
            conversation.remember(cleaned, reply.text)
            record = TurnRecord(
                user=user,
                text=cleaned,
                reply=reply.text,
                intent=intent,
                confidence=_confidence(prediction, intent),
                runner_up=decision.runner_up,
                runner_up_confidence=decision.runner_up_confidence,
                skill=skill_name,
                data=reply.data,
                latency_ms=(time.perf_counter() - started) * 1000,
                model_version=version,
            )
            turn_id = self.database.add_turn(record, at=moment)

        return Reply(
            text=reply.text,
            intent=intent,
            confidence=record.confidence or 0.0,
            skill=skill_name,
            data=reply.data,
            turn_id=turn_id,
            user=user,
        )

    def transcribe(
        self, audio: AudioSource, *, language: str | None = None
    ) -> Transcript:
        """The words spoken in ``audio``: a file (WAV, FLAC, MP3, OGG...) or
        16 kHz mono samples. Silence and noise give an empty transcript.

        Raises:
            AudioError: the audio is missing, empty, corrupt, too long or not audio.
            SpeechModelError: Whisper cannot be loaded.
        """
        self._check_open()
        return self.transcriber.transcribe(audio, language=language)

    def respond_audio(
        self,
        audio: AudioSource,
        *,
        user: str = DEFAULT_USER,
        now: datetime | None = None,
    ) -> Reply:
        """Answer what ``user`` said in ``audio``; ``data["transcript"]`` holds
        what was heard. Unsure transcripts get "Did you say ...?" first."""
        from assistant.voice.spoken import respond_audio

        self._check_open()
        return respond_audio(self, audio, user=user, now=now)

    def feedback(
        self,
        turn_id: int,
        *,
        rating: int | None = None,
        correct_intent: str | None = None,
        comment: str | None = None,
    ) -> int:
        """Record feedback on a turn: ``rating`` -1 or +1, and/or the right intent.

        Raises:
            InputError: the rating or intent is not valid.
            StorageError: there is no such turn.
        """
        if type(turn_id) is not int or not 0 < turn_id < 2**63:
            raise InputError(f"A turn id is a positive whole number, not {turn_id!r}.")
        if rating is not None and (type(rating) is not int or rating not in (-1, 0, 1)):
            raise InputError(f"A rating is -1, 0 or 1, not {rating!r}.")
        if comment is not None and not isinstance(comment, str):
            raise InputError("A feedback comment must be text.")
        if correct_intent is not None and not isinstance(correct_intent, str):
            raise InputError("The right intent must be given as its name (text).")
        if rating is None and correct_intent is None and not comment:
            raise InputError("Give a rating, the right intent or a comment.")
        if comment is not None:
            comment = comment[: self.settings.conversation.max_chars]
        self._check_open()
        labels = self.classifier.data.intents
        if correct_intent is not None and correct_intent not in labels:
            raise InputError(
                f"Unknown intent {correct_intent!r}; "
                f"known: {', '.join(sorted(labels))}."
            )
        feedback_id = self.database.add_feedback(
            turn_id, rating=rating, correct_intent=correct_intent, comment=comment
        )
        self._tell_skill(feedback_id, turn_id, rating, correct_intent, comment)
        return feedback_id

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with each :class:`~assistant.events.Event` a skill
        publishes outside a turn (a reminder coming due...).

        Returns a function that stops the calls.
        """
        return self.events.subscribe(listener)

    @property
    def reminders(self) -> ReminderService:
        """The reminders: ``upcoming``, ``snooze``, ``done``, ``cancel``,
        ``deliver_due`` and ``start``/``stop`` for delivery in the background.

        Raises:
            AssistantError: the reminders skill is not installed.
        """
        skill = self.skills.get("reminders")
        service = getattr(skill, "service", None)
        if service is None:
            raise AssistantError("The reminders skill is not installed.")
        return service  # type: ignore[no-any-return]

    def forget(self, user: str) -> dict[str, int]:
        """Delete everything about ``user``: turns, feedback, what skills keep,
        and the intent layer learned from them.

        Returns:
            How many turns and feedback rows were deleted.
        """
        self._check_open()
        name = clean_user(user) if isinstance(user, str) else None
        if name is None:  # never read "nobody" as the default user
            raise InputError(
                "Say whose data to forget: the user name is empty.",
                reason="invalid_input",
            )
        with self._lock:
            self._conversations.pop(name, None)
        return self.learning.forget(name, self.skills.skills)

    def stats(self, user: str | None = None) -> dict[str, Any]:
        """Turns, intents, feedback and accuracy estimated from the feedback."""
        self._check_open()
        return self.learning.stats(None if user is None else clean_user(user))

    def train(self) -> None:
        """Retrain the intent model now, whatever the cache holds."""
        self.classifier.train()

    def close(self) -> None:
        """Stop the skills and close the database; no answers afterwards."""
        if self._closed:
            return
        self._closed = True
        self.learning.close()
        for skill in self.skills.skills:
            try:
                skill.close()
            except Exception:  # closing the rest matters more than one failure
                logger.exception("Skill %s failed to close", skill.name)
        self.database.close()

    def _check_open(self) -> None:
        if self._closed:
            raise AssistantError("This Assistant is closed; create a new one.")

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- routing ---------------------------------------------------------------

    def _route(
        self,
        text: str,
        user: str,
        now: datetime,
        decision: Decision,
        conversation: Conversation,
    ) -> tuple[str, str, SkillReply]:
        """Pick the skill for a turn; returns (skill name, intent acted on, reply)."""
        pending = conversation.pending
        conversation.pending = None
        if pending is not None:
            resumed = self._resume(pending, text, user, now, decision, conversation)
            if resumed is not None:
                return resumed

        decision = self._set_aside_impossible(decision, user)
        if decision.kind == "clarify":
            descriptions = (
                self.classifier.data.describe(decision.intent),
                self.classifier.data.describe(decision.runner_up),
            )
            conversation.pending = clarify.question(text, decision, descriptions)
            first, second = descriptions
            prompt = self.phrases.say("clarify", first=first, second=second)
            data = {"clarify": [decision.intent, decision.runner_up]}
            return clarify.OWNER, decision.intent, SkillReply(prompt, data)

        intent = "out_of_scope" if decision.kind == "out_of_scope" else decision.intent
        if intent == "out_of_scope":
            rescued = self._rescue(text, user, now, decision.confidence, conversation)
            if rescued is not None:
                return rescued
        return self._dispatch(
            intent, text, user, now, decision.confidence, conversation
        )

    def _resume(
        self,
        pending: PendingQuestion,
        text: str,
        user: str,
        now: datetime,
        decision: Decision,
        conversation: Conversation,
    ) -> tuple[str, str, SkillReply] | None:
        if decision.kind == "accept" and decision.intent == "dialog.cancel":
            return "dialog", decision.intent, SkillReply(self.phrases.say("cancelled"))
        if pending.owner == "voice":
            from assistant.voice import spoken

            return spoken.resume(
                self, pending, text, user=user, now=now, decision=decision,
                conversation=conversation,
            )  # fmt: skip
        if pending.owner == clarify.OWNER:
            chosen = clarify.choose(pending, text, decision)
            if chosen is None and decision.intent == "dialog.deny":
                return (
                    "dialog",
                    decision.intent,
                    SkillReply(self.phrases.say("cancelled")),
                )
            if chosen is None:
                return None
            original = pending.payload["text"]
            return self._dispatch(chosen, original, user, now, 1.0, conversation)
        skill = self.skills.get(pending.owner)
        if skill is None:
            return None
        turn = ParsedTurn(text, user, decision.intent, decision.confidence, now)
        reply = skill.resume(turn, conversation)
        return None if reply is None else (skill.name, decision.intent, reply)

    def _dispatch(
        self,
        intent: str,
        text: str,
        user: str,
        now: datetime,
        confidence: float,
        conversation: Conversation,
    ) -> tuple[str, str, SkillReply]:
        skill = self.skills.for_intent(intent)
        if skill is None:
            reply = SkillReply(self.phrases.say("no_skill", intent=intent))
            return "none", intent, reply
        logger.debug("Routing %s to skill %s", intent, skill.name)
        turn = ParsedTurn(text, user, intent, confidence, now)
        try:
            reply = skill.handle(turn, conversation)
        except AssistantError:
            raise
        except Exception as exc:  # a broken skill must not end the conversation
            logger.exception("Skill %s failed on %r", skill.name, text)
            reply = SkillReply(
                self.phrases.say("skill_failed", skill=skill.name),
                {"error": "skill_failed", "detail": f"{type(exc).__name__}: {exc}"},
            )
        return skill.name, intent, reply

    def _set_aside_impossible(self, decision: Decision, user: str) -> Decision:
        """Between two close intents, act on the one that can apply now: no
        question about snoozing when nothing has gone off. The runner-up must
        have been a contender (at least ``intents.clarify_margin``)."""
        if decision.kind not in ("accept", "clarify") or not decision.runner_up:
            return decision
        if decision.runner_up == OUT_OF_SCOPE:
            return decision
        first = self._possible(decision.intent, user)
        second = self._possible(decision.runner_up, user)
        if decision.kind == "clarify" and first and not second:
            return replace(decision, kind="accept")
        contender = (
            decision.runner_up_confidence >= self.settings.intents.clarify_margin
        )
        if not first and second and (decision.kind == "clarify" or contender):
            logger.debug(
                "%s cannot apply now; acting on %s", decision.intent, decision.runner_up
            )
            return Decision(
                "accept",
                decision.runner_up,
                decision.runner_up_confidence,
                decision.intent,
                decision.confidence,
            )
        return decision

    def _possible(self, intent: str, user: str) -> bool:
        skill = self.skills.for_intent(intent)
        if skill is None:
            return True
        try:
            return skill.possible(intent, user)
        except Exception:  # asking is the safe answer when a skill fails
            logger.exception("Skill %s failed to say if %s applies", skill.name, intent)
            return True

    def _rescue(
        self,
        text: str,
        user: str,
        now: datetime,
        confidence: float,
        conversation: Conversation,
    ) -> tuple[str, str, SkillReply] | None:
        """Give each skill a chance at a message declined as out of scope (the
        answers skill takes questions its user's own documents answer)."""
        turn = ParsedTurn(text, user, OUT_OF_SCOPE, confidence, now)
        for skill in self.skills.skills:
            try:
                reply = skill.rescue(turn, conversation)
            except Exception:  # declining is the safe answer when a skill fails
                logger.exception("Skill %s failed to look at %r", skill.name, text)
                continue
            if reply is not None and skill.intents:
                logger.debug("Skill %s took an out-of-scope message", skill.name)
                data = {**reply.data, "rescued_from": OUT_OF_SCOPE}
                return skill.name, skill.intents[0], SkillReply(reply.text, data)
        return None

    # -- helpers ----------------------------------------------------------------

    def _tell_skill(
        self,
        feedback_id: int,
        turn_id: int,
        rating: int | None,
        correct_intent: str | None,
        comment: str | None,
    ) -> None:
        """Let the skill that answered the turn learn from its feedback at once."""
        (row,) = self.database.query(
            "SELECT user, text, intent, skill, data FROM turns WHERE id = ?",
            (turn_id,),
        )
        self.learning.on_feedback(row["user"], corrected=correct_intent is not None)
        skill = self.skills.get(row["skill"] or "")
        if skill is None:
            return
        feedback = Feedback(
            feedback_id=feedback_id,
            turn_id=turn_id,
            user=row["user"],
            text=row["text"],
            intent=row["intent"],
            data=json.loads(row["data"] or "{}"),
            rating=rating,
            correct_intent=correct_intent,
            comment=comment,
        )
        try:
            skill.on_feedback(feedback)
        except Exception:  # the feedback is stored; a skill bug must not lose it
            logger.exception("Skill %s failed to take feedback", skill.name)

    def _reject(
        self, error: InputError, text: object, user: str, started: float
    ) -> Reply:
        """Answer a message that cannot be processed; log it, cut to a sane size."""
        message = self.phrases.say(error.reason, **error.details)
        shown = printable(text)
        limit = self.settings.conversation.max_chars
        data = {"error": error.reason, "length": len(shown)}
        record = TurnRecord(
            user=user,
            text=shown[:limit],
            reply=message,
            skill="input",
            data=data,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
        turn_id = self.database.add_turn(record)
        return Reply(message, None, 0.0, "input", data, turn_id, user)

    def _now(self, now: datetime | None) -> datetime:
        if now is None:
            return datetime.now(self.zone)
        if not isinstance(now, datetime):
            raise TypeError(f"now must be a datetime, not {type(now).__name__}")
        if now.tzinfo is None:
            return now.replace(tzinfo=self.zone)
        return now.astimezone(self.zone)

    def _conversation(self, user: str) -> Conversation:
        with self._lock:
            conversation = self._conversations.get(user)
            if conversation is None:
                keep = self.settings.conversation.context_turns
                conversation = Conversation(user, deque(maxlen=keep))
                self._conversations[user] = conversation
                self._user_locks[user] = threading.Lock()
            return conversation

    def _lock_for(self, conversation: Conversation) -> threading.Lock:
        with self._lock:
            return self._user_locks[conversation.user]


def _confidence(prediction: Prediction, intent: str) -> float:
    return dict(prediction.ranked).get(intent, 0.0)
