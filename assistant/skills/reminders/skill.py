"""The reminders skill: create, list, cancel, snooze and finish reminders by talking."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from assistant.skills.base import (
    Conversation,
    ParsedTurn,
    PendingQuestion,
    Skill,
    SkillEnv,
    SkillReply,
)
from assistant.skills.reminders.parse import (
    MONTH_NAMES,
    Request,
    mentioned,
    month_named,
    parse_request,
    task_words,
)
from assistant.skills.reminders.recurrence import ordinal
from assistant.skills.reminders.scheduler import (
    ReminderService,
    day_words,
    when_words,
)
from assistant.skills.reminders.store import Reminder, to_iso

__all__ = ["ReminderSkill"]

_CANCEL_WORDS = re.compile(
    r"\b(?:cancel|cancle|delete|delet|remove|drop|clear|kill|stop|erase|wipe|scrap|"
    r"dismiss|unset|disable|forget|get\s+rid\s+of|turn\s+off|switch\s+off|"
    r"reminders?|alarms?|timers?|ones?|all|every|my|the|for|on|at|about|to|"
    r"please|can|you|could|i|don'?t|need|anymore|any\s+more|of|a|that|it|"
    r"list|me|off|remind)\b"
)
_ALL = re.compile(r"\b(?:all|every|everything|erase|wipe|clear)\b")
_PM = re.compile(
    r"\b(?:pm|p\.m\.|afternoon|evening|night|tonight)\b|\b(?:1[3-9]|2[0-3])[:.h]"
)
_AM = re.compile(r"\b(?:am|a\.m\.|morning)\b")


class ReminderSkill(Skill):
    """Reminders and timers in natural language, delivered when due."""

    name = "reminders"
    intents = (
        "reminder.create",
        "reminder.list",
        "reminder.cancel",
        "reminder.snooze",
        "reminder.done",
    )
    summary = "set, list and cancel reminders and timers"

    def __init__(self, env: SkillEnv) -> None:
        super().__init__(env)
        options = env.settings.reminders
        self.service = ReminderService(
            env.database,
            env.events,
            env.phrases,
            grace=timedelta(seconds=options.late_after_seconds),
            poll_seconds=options.poll_seconds,
        )
        self.max_years = options.max_years
        self._asked: dict[str, dict[str, Any]] = {}
        """The question each user was asked last, by user (the payload)."""

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        if turn.intent == "reminder.list":
            return self._list(turn)
        if turn.intent == "reminder.cancel":
            return self._cancel(turn, conversation)
        if turn.intent == "reminder.snooze" or re.match(
            r"\s*snooze\b", turn.text, re.I
        ):
            return self._snooze(turn)
        if turn.intent == "reminder.done":
            return self._done(turn)
        request = parse_request(turn.text, turn.now, max_years=self.max_years)
        return self._create(turn, conversation, request, turn.text)

    def resume(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply | None:
        payload = self._asked.pop(turn.user, None)
        if payload is None:
            return None
        step = payload["step"]
        answer = turn.text.lower()
        if step in ("confirm", "which"):
            return self._resume_cancel(turn, payload, answer)
        if step == "what":
            request = parse_request(payload["text"], turn.now, max_years=self.max_years)
            task = task_words(turn.text)
            return self._create(turn, conversation, request, payload["text"], task)
        if step == "when":
            text = f"remind me to {payload['task']} {turn.text}"
            request = parse_request(text, turn.now, max_years=self.max_years)
            if request.due is None and request.problem is None:
                return None
            return self._create(turn, conversation, request, text, payload["task"])
        text, prefer = payload["text"], None
        if step == "ampm":
            prefer = (
                "pm" if _PM.search(answer) else "am" if _AM.search(answer) else None
            )
        elif step == "midnight_day":
            prefer = (
                "end"
                if re.search(r"\b(?:end|24|late|night)\b", answer)
                else (
                    "start"
                    if re.search(r"\b(?:start|beginning|00|early)\b", answer)
                    else None
                )
            )
        else:
            said = _numeric_answer(payload["phrase"], answer) or turn.text
            text = text.replace(payload["phrase"], said, 1)
            prefer = "date" if re.search(r"[a-z]{3}", answer) else None
        if prefer is None:
            return None
        request = parse_request(text, turn.now, max_years=self.max_years, prefer=prefer)
        return self._create(turn, conversation, request, text)

    def _resume_cancel(
        self, turn: ParsedTurn, payload: dict[str, Any], answer: str
    ) -> SkillReply | None:
        say = self.env.phrases.say
        ids: list[int] = payload["ids"]
        if payload["step"] == "confirm":
            if turn.intent == "dialog.affirm":
                for reminder_id in ids:
                    self.service.cancel(reminder_id)
                return SkillReply(
                    say("reminder_cancelled_many", count=len(ids)), {"cancelled": ids}
                )
            if turn.intent == "dialog.deny":
                return SkillReply(say("reminder_cancel_kept"), {"cancelled": []})
            return None
        number = re.search(r"\b([1-9])\b", answer)
        options = [self.service.get(reminder_id) for reminder_id in ids]
        if number and int(number.group(1)) <= len(options):
            return self._cancel_one(options[int(number.group(1)) - 1], turn.now)
        chosen = _matching(options, mentioned(turn.text, turn.now), turn.now)
        if chosen is not None and len(chosen) == 1:
            return self._cancel_one(chosen[0], turn.now)
        return None

    def forget(self, user: str) -> None:
        self.service.forget(user)

    def close(self) -> None:
        self.service.stop()

    # -- create ----------------------------------------------------------------------

    def _create(
        self,
        turn: ParsedTurn,
        conversation: Conversation,
        request: Request,
        text: str,
        task: str | None = None,
    ) -> SkillReply:
        say = self.env.phrases.say
        task = task or request.task or _default_task(request, text)
        if request.problem is not None:
            return self._problem(turn, conversation, request, text, task)
        if request.due is None:
            prompt = say("reminder_ask_when", task=task or "a reminder")
            return self._ask(conversation, prompt, {"step": "when", "task": task})
        if not task:
            prompt = say("reminder_ask_what", when=when_words(request.due, turn.now))
            return self._ask(conversation, prompt, {"step": "what", "text": text})
        return self._store(turn, request, task)

    def _store(self, turn: ParsedTurn, request: Request, task: str) -> SkillReply:
        due = request.due
        assert due is not None  # the caller checked
        recurrence = request.recurrence.describe(due) if request.recurrence else None
        reminder = self.service.add(
            user=turn.user,
            task=task,
            due=due,
            rule=request.recurrence.rule if request.recurrence else None,
            recurrence=recurrence,
            now=turn.now,
        )
        values = {
            "task": task,
            "when": when_words(due, turn.now),
            "left": _left(due - turn.now),
            "recurrence": recurrence,
        }
        key = "reminder_set_repeating" if recurrence else "reminder_set"
        if request.timer and not recurrence and task in ("timer", "alarm"):
            key = "reminder_set_timer"
        return SkillReply(self.env.phrases.say(key, **values), _data(reminder))

    def _problem(
        self,
        turn: ParsedTurn,
        conversation: Conversation,
        request: Request,
        text: str,
        task: str,
    ) -> SkillReply:
        say = self.env.phrases.say
        details = request.details
        problem = request.problem
        data: dict[str, Any] = {"error": problem, "task": task}
        if problem == "past":
            return SkillReply(say("reminder_past"), data)
        if problem == "too_far":
            years = details.get("years", self.max_years)
            return SkillReply(say("reminder_too_far", years=years), data)
        if problem == "vague":
            prompt = say("reminder_ask_when", task=task or "a reminder")
            return self._ask(conversation, prompt, {"step": "when", "task": task})
        if problem == "too_often":
            return SkillReply(say("reminder_too_often", phrase=details["phrase"]), data)
        if problem == "repeat_unsupported":
            text = say("reminder_repeat_unsupported", phrase=details["phrase"])
            return SkillReply(text, data)
        if problem == "midnight_repeat":
            return SkillReply(say("reminder_midnight_repeat"), data)
        if problem in ("no_such_day", "bad_date", "bad_time"):
            return self._impossible(conversation, request, task)
        payload = {"step": problem, "text": text}
        if problem == "ampm":
            wall = details["wall"]
            prompt = say(
                "reminder_ask_ampm",
                hour=wall.hour % 12 or 12,
                pm=wall.hour % 12 + 12,
                minute=f"{wall.minute:02d}",
            )
        elif problem == "midnight_day":
            prompt = say(
                "reminder_ask_midnight", day=day_words(details["day"], turn.now)
            )
        else:
            phrase = details["phrase"]
            first, second = (int(part) for part in phrase.split("/")[:2])
            payload["phrase"] = phrase
            prompt = say(
                "reminder_ask_numeric",
                phrase=phrase,
                first=f"{first} {MONTH_NAMES[second - 1]}",
                second=f"{second} {MONTH_NAMES[first - 1]}",
            )
        return self._ask(conversation, prompt, payload)

    def _impossible(
        self, conversation: Conversation, request: Request, task: str
    ) -> SkillReply:
        """Say why the day or time cannot be, and ask for it again; nothing is
        stored (the answer goes on as for "when is it for?")."""
        say = self.env.phrases.say
        details = request.details
        if request.problem == "bad_time":
            why = say("reminder_bad_time", phrase=details["phrase"])
        elif request.problem == "bad_date":
            why = say("reminder_bad_date", phrase=details["phrase"])
        elif details["month"] is None:
            why = say("reminder_no_such_day_any", day=ordinal(details["day"]))
        else:
            month = details["month"]
            if details["year"] is not None:
                month = f"{month} {details['year']}"
            why = say("reminder_no_such_day", month=month, day=ordinal(details["day"]))
        ask = say("reminder_ask_when", task=task or "a reminder")
        asked = self._ask(conversation, f"{why} {ask}", {"step": "when", "task": task})
        return SkillReply(asked.text, {**asked.data, "error": request.problem})

    def _ask(
        self, conversation: Conversation, prompt: str, payload: dict[str, Any]
    ) -> SkillReply:
        conversation.pending = PendingQuestion(self.name, prompt, payload)
        self._asked[conversation.user] = payload
        return SkillReply(prompt, {"question": payload["step"]})

    # -- list ------------------------------------------------------------------------

    def _list(self, turn: ParsedTurn) -> SkillReply:
        say = self.env.phrases.say
        day = mentioned(turn.text, turn.now).day
        reminders = self.service.upcoming(turn.user, limit=100)
        if day is not None:
            reminders = [
                r for r in reminders if r.due.astimezone(turn.now.tzinfo).date() == day
            ]
        scope = _scope(day, turn.now)
        data = {"reminders": [_data(r) for r in reminders[:20]]}
        if not reminders:
            return SkillReply(say("reminder_list_none", scope=scope), data)
        items = "; ".join(self._item(r, turn.now) for r in reminders[:20])
        plural = "" if len(reminders) == 1 else "s"
        text = say(
            "reminder_list",
            count=len(reminders),
            plural=plural,
            scope=scope,
            items=items,
        )
        return SkillReply(text, data)

    def _item(self, reminder: Reminder, now: datetime) -> str:
        due = reminder.due.astimezone(now.tzinfo)
        repeat = f", {reminder.recurrence}" if reminder.recurrence else ""
        left = _left(due - now) if due > now else "due now"
        return f"{reminder.task}: {when_words(due, now)} ({left}{repeat})"

    # -- cancel ----------------------------------------------------------------------

    def _cancel(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        say = self.env.phrases.say
        what = mentioned(turn.text, turn.now)
        reminders = self.service.upcoming(turn.user, limit=500)
        chosen = _matching(reminders, what, turn.now)
        scope = _scope(what.day, turn.now)
        everything = bool(_ALL.search(turn.text.lower()))
        if chosen is None:
            chosen = reminders if everything or len(reminders) <= 1 else None
        if chosen is None and re.search(r"\bnext\b", turn.text.lower()):
            chosen = reminders[:1]
        if chosen is None:
            items = self._numbered(reminders[:6], turn.now)
            payload = {"step": "which", "ids": [r.id for r in reminders[:6]]}
            return self._ask(
                conversation, say("reminder_cancel_which", items=items), payload
            )
        if not chosen:
            return SkillReply(
                say("reminder_cancel_none", scope=scope), {"cancelled": []}
            )
        if len(chosen) > 1:
            if not everything and what.day is None:
                items = self._numbered(chosen[:6], turn.now)
                payload = {"step": "which", "ids": [r.id for r in chosen[:6]]}
                return self._ask(
                    conversation, say("reminder_cancel_which", items=items), payload
                )
            items = "; ".join(self._item(r, turn.now) for r in chosen[:10])
            prompt = say(
                "reminder_cancel_confirm", count=len(chosen), scope=scope, items=items
            )
            return self._ask(
                conversation, prompt, {"step": "confirm", "ids": [r.id for r in chosen]}
            )
        return self._cancel_one(chosen[0], turn.now)

    def _cancel_one(self, reminder: Reminder, now: datetime) -> SkillReply:
        before = self.service.cancel(reminder.id)
        key = (
            "reminder_cancelled_fired"
            if before.status == "fired"
            else "reminder_cancelled"
        )
        when = when_words(before.due.astimezone(now.tzinfo), now)
        text = self.env.phrases.say(key, task=before.task, when=when)
        return SkillReply(text, {"cancelled": [before.id], "was": before.status})

    def _numbered(self, reminders: list[Reminder], now: datetime) -> str:
        return " ".join(
            f"{number}) {self._item(r, now)}." for number, r in enumerate(reminders, 1)
        )

    # -- snooze and done ---------------------------------------------------------------

    def possible(self, intent: str, user: str) -> bool:
        """Snooze and done need a reminder that has gone off."""
        if intent in ("reminder.snooze", "reminder.done"):
            return self.service.last_fired(user) is not None
        return True

    def _snooze(self, turn: ParsedTurn) -> SkillReply:
        target = self.service.last_fired(turn.user)
        if target is None:
            return SkillReply(
                self.env.phrases.say("reminder_nothing_fired", action="snooze"),
                {"error": "nothing_fired"},
            )
        what = mentioned(turn.text, turn.now)
        minutes = 10.0
        if what.span is not None:
            minutes = what.span.total_seconds() / 60
        elif what.clock is not None:
            until = parse_request(f"at {what.clock:%H:%M}", turn.now).due
            if until is not None:
                minutes = (until - turn.now).total_seconds() / 60
        snoozed = self.service.snooze(target.id, minutes=minutes, now=turn.now)
        local = snoozed.due.astimezone(turn.now.tzinfo)
        text = self.env.phrases.say(
            "reminder_snoozed", task=snoozed.task, time=f"{local:%H:%M}"
        )
        return SkillReply(text, {**_data(snoozed), "snoozed_from": target.id})

    def _done(self, turn: ParsedTurn) -> SkillReply:
        target = self.service.last_fired(turn.user)
        if target is None:
            return SkillReply(
                self.env.phrases.say("reminder_nothing_fired", action="mark done"),
                {"error": "nothing_fired"},
            )
        self.service.done(target.id)
        return SkillReply(
            self.env.phrases.say("reminder_done", task=target.task),
            {"reminder_id": target.id, "done": True},
        )


def _matching(
    reminders: list[Reminder], what: Any, now: datetime
) -> list[Reminder] | None:
    """The reminders a cancel request points at; None when it names none."""
    rest = " ".join(_CANCEL_WORDS.sub(" ", what.rest).split())
    if what.day is None and what.clock is None and not rest:
        return None
    chosen = []
    for reminder in reminders:
        due = reminder.due.astimezone(now.tzinfo)
        if what.day is not None and due.date() != what.day:
            continue
        if what.clock is not None and (due.hour % 12, due.minute) != (
            what.clock.hour % 12,
            what.clock.minute,
        ):
            continue
        if rest and fuzz.partial_ratio(rest, reminder.task.lower()) < 80:
            continue
        chosen.append(reminder)
    return chosen


def _numeric_answer(phrase: str, answer: str) -> str | None:
    """ "5 March" for "5/3" answered "march"; None when the answer is not just
    one of the two months (it then replaces the phrase as said)."""
    month = month_named(answer)
    if month is None or re.search(r"\d", answer):
        return None
    first, second, *year = phrase.split("/")
    if month == int(second):
        day = int(first)
    elif month == int(first):
        day = int(second)
    else:
        return None
    return " ".join([str(day), MONTH_NAMES[month - 1], *year])


def _default_task(request: Request, text: str) -> str:
    lowered = text.lower()
    if "wake" in lowered:
        return "wake up"
    if request.timer:
        return "alarm" if "alarm" in lowered else "timer"
    return ""


def _left(span: timedelta) -> str:
    """ "in 1 h 30 min", "in 45 s", "in 3 days"."""
    seconds = round(span.total_seconds())
    if seconds < 60:
        return f"in {seconds} s"
    minutes = (seconds + 30) // 60
    if minutes < 60:
        return f"in {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"in {hours} h {minutes} min" if minutes else f"in {hours} h"
    return f"in {round(hours / 24)} days"


def _scope(day: date | None, now: datetime) -> str:
    if day is None:
        return ""
    if day == now.date():
        return " for today"
    if day == now.date() + timedelta(days=1):
        return " for tomorrow"
    return f" for {day_words(day, now)}"


def _data(reminder: Reminder) -> dict[str, Any]:
    return {
        "reminder_id": reminder.id,
        "task": reminder.task,
        "due": to_iso(reminder.due),
        "due_local": reminder.due.isoformat(),
        "zone": str(reminder.due.tzinfo),
        "recurrence": reminder.recurrence,
        "status": reminder.status,
    }
