"""Search over the user's documents, and answers with their sources.

:class:`KnowledgeBase` holds the passages (SQLite, FTS5 and FAISS);
:func:`index_paths` adds files and folders; :class:`Answerer` picks the
sentence that answers a question.
"""

from __future__ import annotations

from assistant.knowledge.answers import Answerer, Candidate
from assistant.knowledge.indexer import (
    IndexReport,
    index_builtin,
    index_paths,
    remove_paths,
)
from assistant.knowledge.library import DocumentInfo, Hit, KnowledgeBase

__all__ = [
    "Answerer",
    "Candidate",
    "DocumentInfo",
    "Hit",
    "IndexReport",
    "KnowledgeBase",
    "index_builtin",
    "index_paths",
    "remove_paths",
]
