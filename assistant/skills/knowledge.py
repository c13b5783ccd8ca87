"""Search over the user's documents (``search.notes``) and answers (``qa.ask``).

Both skills read one :class:`~assistant.knowledge.KnowledgeBase`, opened on
first use; the built-in help pages are indexed then, so questions about the
assistant itself are answered on a fresh install.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import PurePath
from typing import Any

from assistant.knowledge import (
    Answerer,
    Candidate,
    Hit,
    KnowledgeBase,
    index_builtin,
)
from assistant.knowledge.answers import DISLIKED
from assistant.knowledge.indexer import BUILTIN_PREFIX
from assistant.knowledge.ranking import query_terms, stem
from assistant.skills.base import (
    Conversation,
    Feedback,
    ParsedTurn,
    Skill,
    SkillEnv,
    SkillReply,
)

__all__ = ["AnswerSkill", "KnowledgeService", "SearchSkill"]

logger = logging.getLogger(__name__)

SEARCH_WORDS = frozenset(
    [
        "find",
        "search",
        "look",
        "looking",
        "open",
        "show",
        "notes",
        "note",
        "documents",
        "document",
        "docs",
        "doc",
        "files",
        "file",
        "wrote",
        "write",
        "written",
        "writing",
        "mention",
        "mentions",
        "mentioned",
        "say",
        "said",
        "anything",
        "something",
        "down",
        "dig",
        "grep",
        "remind",
        "noted",
        "jotted",
        "through",
        "please",
        "can",
        "could",
        "did",
        "called",
        "talk",
        "talks",
    ]
)
"""Words of a search request that are not what is searched for."""

SNIPPET_CHARS = 160
_QUESTION = re.compile(
    r"\?\s*$|^(?:what|when|where|who|whom|whose|which|why|how|is|are|was|were"
    r"|do|does|did|can|could|should|will|would|has|have|had)\b",
    re.IGNORECASE,
)
"""What a question looks like: a question mark, or a question word first."""


class KnowledgeService:
    """The knowledge base and answerer that the two skills share, opened lazily."""

    def __init__(self, env: SkillEnv) -> None:
        self.env = env
        self._base: KnowledgeBase | None = None
        self._answerer: Answerer | None = None
        self._lock = threading.Lock()

    @property
    def base(self) -> KnowledgeBase:
        with self._lock:
            if self._base is None:
                base = KnowledgeBase(self.env.settings, self.env.database)
                if self.env.settings.knowledge.builtin_help:
                    index_builtin(base)
                self._base = base
                self._answerer = Answerer(base)
            return self._base

    @property
    def answerer(self) -> Answerer:
        base = self.base
        return self._answerer or Answerer(base)

    def forget(self, user: str) -> None:
        self.base.forget(user)

    def close(self) -> None:
        with self._lock:
            if self._base is not None:
                self._base.flush()

    def describe(self, hit: Hit) -> str:
        """Where a passage comes from, for the user: file, heading, line or page."""
        phrases = self.env.phrases
        if hit.path.startswith(BUILTIN_PREFIX):
            page = PurePath(hit.path[len(BUILTIN_PREFIX) :]).stem.replace("-", " ")
            parts = [phrases.say("knowledge_builtin_source", page=page)]
        else:
            parts = [hit.path]
        if hit.heading:
            parts.append(f'"{hit.heading}"')
        if hit.page is not None:
            parts.append(phrases.say("knowledge_page", page=hit.page))
        elif hit.line is not None and not hit.path.startswith(BUILTIN_PREFIX):
            parts.append(phrases.say("knowledge_line", line=hit.line))
        return ", ".join(parts)


class SearchSkill(Skill):
    """Finds passages in the user's documents."""

    name = "search"
    intents = ("search.notes",)
    summary = "search your indexed notes and documents"

    def __init__(self, env: SkillEnv, service: KnowledgeService | None = None) -> None:
        super().__init__(env)
        self.service = service or KnowledgeService(env)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        base = self.service.base
        phrases = self.env.phrases
        if not base.documents("user"):
            return SkillReply(phrases.say("knowledge_no_documents"), {"results": []})
        terms = query_terms(turn.text, ignore=SEARCH_WORDS)
        query = " ".join(terms) or turn.text
        limit = self.env.settings.knowledge.search_results
        hits = base.search(query, limit=limit * 3, source="user", ignore=SEARCH_WORDS)
        hits = self._reranked(turn.user, query, hits)[:limit]
        if not hits:
            return SkillReply(
                phrases.say("knowledge_no_results", query=query),
                {"results": [], "query": query},
            )
        lines, results = [], []
        for number, hit in enumerate(hits, start=1):
            snippet = _snippet(hit.text, terms)
            lines.append(
                phrases.say(
                    "knowledge_result",
                    number=number,
                    source=self.service.describe(hit),
                    score=hit.score,
                    snippet=snippet,
                )
            )
            results.append(_hit_data(hit) | {"snippet": snippet})
        text = phrases.say("knowledge_results", results="\n".join(lines))
        return SkillReply(text, {"query": query, "results": results})

    def _reranked(self, user: str, query: str, hits: list[Hit]) -> list[Hit]:
        """Move passages the user rated for similar searches up or down."""
        base = self.service.base
        options = self.env.settings.knowledge
        ratings = base.feedback_near(
            user, base.embed_query(query), min_similarity=options.feedback_similarity
        )
        if not ratings:
            return hits
        shift: dict[int, float] = {}
        for passage_id, _, rating, similarity in ratings:
            change = options.feedback_weight * similarity if rating > 0 else -DISLIKED
            shift[passage_id] = shift.get(passage_id, 0.0) + change
        top = max((hit.score for hit in hits), default=1.0) or 1.0
        return sorted(
            hits, key=lambda hit: -(hit.score / top + shift.get(hit.passage_id, 0.0))
        )

    def on_feedback(self, feedback: Feedback) -> None:
        results = feedback.data.get("results") or []
        if feedback.rating in (-1, 1) and results:
            first = results[0]
            self.service.base.add_feedback(
                user=feedback.user,
                question=str(feedback.data.get("query") or feedback.text),
                passage_id=int(first["passage_id"]),
                sentence="",
                rating=int(feedback.rating),
            )

    def forget(self, user: str) -> None:
        self.service.forget(user)

    def close(self) -> None:
        self.service.close()


class AnswerSkill(Skill):
    """Answers a question with a sentence from the indexed documents."""

    name = "answers"
    intents = ("qa.ask",)
    summary = "answer questions from your documents and from my own help pages"

    def __init__(self, env: SkillEnv, service: KnowledgeService | None = None) -> None:
        super().__init__(env)
        self.service = service or KnowledgeService(env)

    def handle(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply:
        answerer = self.service.answerer
        found = answerer.candidates(turn.text, user=turn.user, limit=1)
        best = found[0] if found else None
        threshold = self.env.settings.knowledge.answer_threshold
        if best is None or best.score < threshold:
            score = None if best is None else round(best.score, 4)
            logger.debug("No answer above %.3f (best %s)", threshold, score)
            return SkillReply(
                self.env.phrases.say(
                    "knowledge_dont_know_indexed"
                    if self.service.base.has_own_documents()
                    else "knowledge_dont_know"
                ),
                {"answer": None, "best_score": score},
            )
        return self._answer(best)

    def _answer(self, best: Candidate) -> SkillReply:
        text = self.env.phrases.say(
            "knowledge_answer",
            answer=best.sentence,
            source=self.service.describe(best.hit),
        )
        data = _hit_data(best.hit) | {"answer": best.sentence, "score": best.score}
        return SkillReply(text, data)

    def rescue(self, turn: ParsedTurn, conversation: Conversation) -> SkillReply | None:
        """Answer a declined question when the user's own documents answer it
        well (``knowledge.rescue_threshold``): the intent model has never seen
        their documents, so it cannot know which questions they hold."""
        threshold = self.env.settings.knowledge.rescue_threshold
        if threshold is None or not _QUESTION.search(turn.text):
            return None
        base = self.service.base
        if not base.has_own_documents():
            return None
        found = self.service.answerer.candidates(turn.text, user=turn.user, limit=5)
        own = [c for c in found if not c.hit.path.startswith(BUILTIN_PREFIX)]
        if not own or own[0].score < threshold:
            return None
        return self._answer(own[0])

    def on_feedback(self, feedback: Feedback) -> None:
        data = feedback.data
        if feedback.rating in (-1, 1) and data.get("answer"):
            self.service.base.add_feedback(
                user=feedback.user,
                question=feedback.text,
                passage_id=int(data["passage_id"]),
                sentence=str(data["answer"]),
                rating=int(feedback.rating),
            )

    def forget(self, user: str) -> None:
        self.service.forget(user)

    def close(self) -> None:
        self.service.close()


def _hit_data(hit: Hit) -> dict[str, Any]:
    """What a reply carries about a passage, so a UI can open it."""
    return {
        "passage_id": hit.passage_id,
        "path": hit.path,
        "heading": hit.heading,
        "line": hit.line,
        "page": hit.page,
        "score": round(hit.score, 4),
    }


def _snippet(text: str, terms: list[str]) -> str:
    """About ``SNIPPET_CHARS`` characters of a passage around its first match."""
    flat = " ".join(text.split())
    stems = {stem(term) for term in terms}
    start = 0
    for match in re.finditer(r"\w+", flat):
        if stem(match.group().lower()) in stems:
            start = max(0, match.start() - SNIPPET_CHARS // 3)
            break
    piece = flat[start : start + SNIPPET_CHARS]
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + SNIPPET_CHARS < len(flat) else ""
    return f"{prefix}{piece.strip()}{suffix}"
