"""The knowledge tables in the assistant's database.

``knowledge_documents`` lists indexed files; ``knowledge_passages`` holds each
passage's text, place and vector (the vectors are the source the FAISS index
is rebuilt from); ``knowledge_fts`` is the FTS5 keyword index over the same
passages (rowid = passage id); ``knowledge_feedback`` keeps ratings of answers
per user; ``knowledge_state`` counts changes so a stale FAISS file is noticed.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE knowledge_documents (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL DEFAULT 'user',
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        indexed_at TEXT NOT NULL
    );
    CREATE TABLE knowledge_passages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id INTEGER NOT NULL
            REFERENCES knowledge_documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        heading TEXT NOT NULL,
        text TEXT NOT NULL,
        line INTEGER,
        page INTEGER,
        vector BLOB NOT NULL
    );
    CREATE INDEX knowledge_passages_document ON knowledge_passages(document_id);
    CREATE VIRTUAL TABLE knowledge_fts USING fts5(
        heading, text, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TABLE knowledge_feedback (
        id INTEGER PRIMARY KEY,
        user TEXT NOT NULL,
        question TEXT NOT NULL,
        vector BLOB NOT NULL,
        passage_id INTEGER NOT NULL,
        sentence TEXT NOT NULL,
        rating INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX knowledge_feedback_user ON knowledge_feedback(user);
    CREATE TABLE knowledge_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
)
