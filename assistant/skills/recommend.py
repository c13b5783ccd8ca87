"""``recommend.get`` and ``recommend.feedback``: suggestions that learn.

The work is done by :mod:`assistant.recommend`; this skill reads the
request, keeps the user's taste up to date and words the answer.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import numpy as np

from assistant.recommend.catalog import ACCEPT
from assistant.recommend.engine import Pick, Recommender, State
from assistant.recommend.requests import (
    PLURALS,
    Opinion,
    Request,
    parse_opinion,
    request_kind,
)
from assistant.recommend.requests import parse_request as _parse_request
from assistant.recommend.store import TasteStore
from assistant.skills.base import (
    Conversation,
    Feedback,
    ParsedTurn,
    PendingQuestion,
    Skill,
    SkillEnv,
    SkillReply,
)

__all__ = ["RecommendSkill"]

logger = logging.getLogger(__name__)

_LEAD_IN = re.compile(r",|;|\s+(?:so|and|now|what|recommend|suggest|give)\b")
_CHOICE = re.compile(r"\b(?:(1|one|first)|(2|two|second)|(3|three|third))\b")


class RecommendSkill(Skill):
    """Suggests books (or any imported kind) and learns from the user's opinions."""

    name = "recommend"
    intents = ("recommend.get", "recommend.feedback")
    summary = "recommend books (and anything you import) and learn what you like"

    def __init__(self, env: SkillEnv) -> None:
        super().__init__(env)
        self.store = TasteStore(env.database)
        self.recommender = Recommender(env.settings, self.store)
        self._pending: dict[str, dict[str, Any]] = {}

    # -- turns ------------------------------------------------------------------

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        if turn.intent == "recommend.feedback":
            opinion = parse_opinion(turn.text)
            if opinion is not None:
                return self._opinion(turn.user, opinion, conversation)
            if _parse_request(turn.text).another:
                return self._suggest(turn.user, _parse_request(turn.text), conversation)
            return SkillReply(self._say("recommend_no_opinion"))
        request = _parse_request(turn.text)
        opinion = parse_opinion(turn.text)
        if opinion is not None and opinion.value > 0 and opinion.target:
            # "I loved Dune, recommend something similar": note it, use it as seed
            title = _LEAD_IN.split(opinion.target)[0].strip()
            kind = request_kind(turn.text, title=title)  # not "games" of the title
            state = self.recommender.state()
            matches = state.catalog.match_title(title, kind=kind)
            if matches and matches[0][1] >= ACCEPT:
                key = state.catalog.items[matches[0][0]].key
                self.store.set_taste(turn.user, key, opinion.value, source="said")
                request = Request(kind, title, count=request.count)
        return self._suggest(turn.user, request, conversation)

    def resume(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply | None:
        """Take the answer to "did you mean 1. ... or 2. ...?"."""
        payload = self._pending.pop(turn.user, None)
        if payload is None:
            return None
        if payload["action"] == "followup":
            return self._follow_up(turn, conversation)
        state = self.recommender.state()
        choices = [state.catalog.row(key) for key in payload["choices"]]
        text = turn.text.lower()
        found = _CHOICE.search(text)
        chosen: int | None = None
        if found:
            chosen = choices[found.lastindex - 1] if found.lastindex else None
            if found.lastindex and found.lastindex > len(choices):
                chosen = None
        elif re.match(r"^(yes|yeah|yep|sure|right|correct)\b", text):
            chosen = choices[0]
        elif turn.intent in ("dialog.deny", "dialog.cancel") or text.startswith("no"):
            return SkillReply(self._say("recommend_left_it"))
        else:
            titles = [
                state.catalog.items[row].title for row in choices if row is not None
            ]
            matches = state.catalog.match_title(turn.text)
            chosen = next(
                (
                    row
                    for row, score in matches
                    if score >= ACCEPT and state.catalog.items[row].title in titles
                ),
                None,
            )
        if chosen is None:
            return None
        if payload["action"] == "seed":
            request = Request(payload.get("kind"), state.catalog.items[chosen].title)
            return self._answer(turn.user, request, state, chosen, {}, conversation)
        opinion = Opinion(
            None, payload["value"], payload.get("stars"), seen=bool(payload.get("seen"))
        )
        return self._record(turn.user, state, chosen, opinion)

    def _follow_up(
        self, turn: ParsedTurn, conversation: Conversation
    ) -> SkillReply | None:
        """Right after a list: "not that one", "something else", "loved it"."""
        request = _parse_request(turn.text)
        if request.another or request.like_last:
            return self._suggest(turn.user, request, conversation)
        opinion = parse_opinion(turn.text)
        if opinion is not None and opinion.target is None:
            return self._opinion(turn.user, opinion, conversation)
        return None

    def on_feedback(self, feedback: Feedback) -> None:
        """A thumbs-up or -down on a list: mild like, or dismiss, of what was shown."""
        keys = feedback.data.get("items") or []
        if not feedback.rating or not isinstance(keys, list):
            return
        for key in keys:
            if isinstance(key, str):
                value = 0.3 if feedback.rating > 0 else -0.5
                self.store.set_taste(feedback.user, key, value, source="thumbs")

    def forget(self, user: str) -> None:
        self._pending.pop(user, None)
        self.store.forget(user)

    # -- suggestions ------------------------------------------------------------

    def _suggest(
        self, user: str, request: Request, conversation: Conversation
    ) -> SkillReply:
        state = self.recommender.state()
        kinds = state.catalog.kinds()
        kind = request.kind
        if kind is not None and kind not in kinds:
            available = ", ".join(
                f"{n} {PLURALS.get(k, k + 's')}" for k, n in kinds.items()
            )
            return SkillReply(
                self._say(
                    "recommend_no_kind",
                    plural=_plural(kind),
                    kind=kind,
                    available=available,
                ),
                {"items": [], "kind": kind, "missing_kind": True},
            )

        last = self._last_shown(user)
        intro_values: dict[str, str] = {}
        if request.another and last:
            self.store.set_taste(user, last[0], -0.5, source="dismissed")
            intro_values["title"] = self._title(state, last[0])
            previous = self._last_request(user)
            request = Request(
                kind or previous.get("kind"),
                previous.get("seed"),
                topic=previous.get("topic") or request.topic,
                count=request.count,
            )
        seed_row: int | None = None
        if request.like_last:
            if not last:
                return SkillReply(self._say("recommend_no_last"))
            seed_row = state.catalog.row(last[0])
        elif request.seed:
            matches = state.catalog.match_title(request.seed, kind=kind)
            if not matches or matches[0][1] < ACCEPT:
                return self._did_you_mean(
                    request.seed,
                    matches,
                    state,
                    conversation,
                    {"action": "seed", "kind": kind},
                )
            seed_row = matches[0][0]
        return self._answer(user, request, state, seed_row, intro_values, conversation)

    def _answer(
        self,
        user: str,
        request: Request,
        state: State,
        seed_row: int | None,
        intro_values: dict[str, str],
        conversation: Conversation,
    ) -> SkillReply:
        catalog, model = state.catalog, state.model
        likes, dislikes, exclude, liked_titles = self._profile(user, state)
        avoid = self.store.avoided(user)
        kind = request.kind or (
            catalog.items[seed_row].kind if seed_row is not None else None
        )
        query: np.ndarray | None
        if seed_row is not None:
            exclude.add(seed_row)
            seed_title = catalog.items[seed_row].title
            query = model.item_query(seed_row)
            reasons = {seed_row: seed_title}
            intro = ("recommend_intro_seed", {"seed": seed_title})
        elif likes or dislikes or request.topic:
            query = model.user_query(likes, dislikes) if likes or dislikes else None
            if request.topic:
                query = model.text_query(self.recommender.embed(request.topic), query)
            reasons = liked_titles
            intro = (
                ("recommend_intro_topic", {"topic": request.topic})
                if request.topic
                else ("recommend_intro_taste", {})
            )
        else:
            query, reasons = None, {}
            intro = ("recommend_intro_cold", {})
        for term in avoid:
            if query is not None:
                query = query - 0.5 * model.text_query(self.recommender.embed(term))

        if query is None:
            picks = self.recommender.popular(
                count=request.count, kind=kind, exclude=exclude, avoid=avoid
            )
        else:
            picks = self.recommender.recommend(
                query,
                count=request.count,
                kind=kind,
                exclude=exclude,
                avoid=avoid,
                reasons=reasons,
            )
        plural = _plural(kind or _main_kind(catalog.kinds()))
        if not picks:
            return SkillReply(
                self._say("recommend_nothing_left", plural=plural),
                {"items": [], "kind": kind},
            )
        if "title" in intro_values:
            intro = ("recommend_intro_another", intro_values)
        lines = [
            self._line(n, pick, request, seed_row, plural)
            for n, pick in enumerate(picks, start=1)
        ]
        text = self._say(
            "recommend_list",
            lines="\n".join(lines),
            intro=self._say(intro[0], plural=plural, **intro[1]),
        )
        if query is None:
            text += "\n\n" + self._say("recommend_ask_cold", kind=kind or "book")
        # the next turn may be "not that one" or "loved it": let it come here
        self._pending[conversation.user] = {"action": "followup"}
        conversation.pending = PendingQuestion(self.name, text, {"action": "followup"})
        data = {
            "items": [p.item.key for p in picks],
            "titles": [p.item.title for p in picks],
            "reasons": [line.split(" - ", 1)[1] for line in lines],
            "kind": kind,
            "request": {
                "kind": request.kind,
                "seed": request.seed
                if seed_row is None
                else catalog.items[seed_row].title,
                "topic": request.topic,
            },
            "cold_start": query is None,
        }
        return SkillReply(text, data)

    def _line(
        self, number: int, pick: Pick, request: Request, seed: int | None, plural: str
    ) -> str:
        if seed is not None:
            reason = self._say("recommend_reason_seed", title=pick.because or "")
        elif pick.because:
            reason = self._say("recommend_reason_liked", title=pick.because)
        elif request.topic:
            reason = self._say("recommend_reason_topic", topic=request.topic)
        else:
            reason = self._say("recommend_reason_popular", plural=plural)
        year = f" ({pick.item.year})" if pick.item.year else ""
        return self._say(
            "recommend_line",
            number=number,
            label=pick.item.label,
            year=year,
            reason=reason,
        )

    def _profile(
        self, user: str, state: State
    ) -> tuple[dict[int, float], dict[int, float], set[int], dict[int, str]]:
        """Likes, dislikes, rows never to suggest and titles to explain with."""
        likes: dict[int, float] = {}
        dislikes: dict[int, float] = {}
        exclude: set[int] = set()
        titles: dict[int, str] = {}
        for taste in self.store.taste(user):
            row = state.catalog.row(taste.key)
            if row is None:
                continue
            exclude.add(row)
            if taste.value > 0:
                likes[row] = taste.value
                if taste.value >= 0.5:
                    titles[row] = state.catalog.items[row].title
            elif taste.value < 0:
                dislikes[row] = -taste.value
        return likes, dislikes, exclude, titles

    # -- opinions ---------------------------------------------------------------

    def _opinion(
        self, user: str, opinion: Opinion, conversation: Conversation
    ) -> SkillReply:
        state = self.recommender.state()
        if opinion.target is None:
            last = self._last_shown(user)
            if not last:
                return SkillReply(self._say("recommend_no_last"))
            return self._record(user, state, state.catalog.row(last[0]), opinion)
        matches = state.catalog.match_title(opinion.target)
        # "not into horror" names a title only when it is the exact title
        needed = 100.0 if opinion.avoid else ACCEPT
        if matches and matches[0][1] >= needed:
            return self._record(user, state, matches[0][0], opinion)
        if opinion.avoid:
            self.store.avoid(user, opinion.avoid)
            return SkillReply(
                self._say("recommend_noted_avoid", term=opinion.avoid),
                {"avoid": opinion.avoid},
            )
        payload = {
            "action": "opinion",
            "value": opinion.value,
            "stars": opinion.stars,
            "seen": opinion.seen,
        }
        return self._did_you_mean(opinion.target, matches, state, conversation, payload)

    def _record(
        self, user: str, state: State, row: int | None, opinion: Opinion
    ) -> SkillReply:
        if row is None:
            return SkillReply(self._say("recommend_no_last"))
        item = state.catalog.items[row]
        source = "stars" if opinion.stars else "seen" if opinion.seen else "said"
        self.store.set_taste(
            user, item.key, opinion.value, stars=opinion.stars, source=source
        )
        if opinion.stars:
            key = "recommend_noted_stars"
        elif opinion.seen:
            key = "recommend_noted_seen"
        elif opinion.value >= 0.9:
            key = "recommend_noted_love"
        else:
            key = (
                "recommend_noted_like"
                if opinion.value > 0
                else "recommend_noted_dislike"
            )
        text = self._say(
            key,
            title=item.title,
            stars=opinion.stars,
            s="" if opinion.stars == 1 else "s",
        )
        return SkillReply(
            text, {"rated": item.key, "value": opinion.value, "stars": opinion.stars}
        )

    def _did_you_mean(
        self,
        title: str,
        matches: list[tuple[int, float]],
        state: State,
        conversation: Conversation,
        payload: dict[str, Any],
    ) -> SkillReply:
        if not matches:
            return SkillReply(
                self._say("recommend_unknown_title_none", title=title),
                {"unknown_title": title},
            )
        keys = [state.catalog.items[row].key for row, _ in matches]
        choices = " or ".join(
            f"{n}. {state.catalog.items[row].label}"
            for n, (row, _) in enumerate(matches, start=1)
        )
        text = self._say("recommend_unknown_title", title=title, choices=choices)
        self._pending[conversation.user] = {**payload, "choices": keys}
        conversation.pending = PendingQuestion(
            self.name, text, self._pending[conversation.user]
        )
        return SkillReply(text, {"unknown_title": title, "did_you_mean": keys})

    # -- helpers -----------------------------------------------------------------

    def _last_data(self, user: str) -> dict[str, Any]:
        rows = self.env.database.query(
            "SELECT data FROM turns WHERE user = ? AND skill = ? ORDER BY id DESC"
            " LIMIT 20",
            (user, self.name),
        )
        for row in rows:
            data = json.loads(row["data"] or "{}")
            if data.get("items"):
                return dict(data)
        return {}

    def _last_shown(self, user: str) -> list[str]:
        return [str(key) for key in self._last_data(user).get("items", [])]

    def _last_request(self, user: str) -> dict[str, Any]:
        return dict(self._last_data(user).get("request") or {})

    def _title(self, state: State, key: str) -> str:
        row = state.catalog.row(key)
        return state.catalog.items[row].title if row is not None else key

    def _say(self, key: str, **values: Any) -> str:
        return self.env.phrases.say(key, **values)


def _plural(kind: str) -> str:
    return PLURALS.get(kind, f"{kind}s")


def _main_kind(kinds: dict[str, int]) -> str:
    return max(kinds, key=lambda k: kinds[k]) if kinds else "book"
