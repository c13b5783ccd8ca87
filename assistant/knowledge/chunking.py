"""Cutting blocks into passages, and passages into sentences.

A passage never spans two headings. Short paragraphs under one heading are
joined until a passage would pass ``max_words``; a paragraph longer than that
is cut between sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.knowledge.readers import Block

__all__ = ["Passage", "make_passages", "split_sentences", "words"]

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "no",
        "fig",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "mt",
        "approx",
        "u.s",
        "jan",
        "feb",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
_WORD = re.compile(r"\w+(?:['\u2019]\w+)?")


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of a document that is embedded and indexed as one unit."""

    text: str
    heading: str
    line: int | None
    page: int | None


def words(text: str) -> list[str]:
    """The lower-case words of a text."""
    return [word.lower() for word in _WORD.findall(text)]


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; list items and lines of a list stay separate."""
    pieces: list[str] = []
    for line_group in re.split(r"\n(?=\s*(?:[-*+]|\d+[.)])\s)|\n\s*\n", text):
        start = 0
        for match in _SENTENCE_END.finditer(line_group):
            before = line_group[start : match.start()].rstrip()
            last = before.rsplit(maxsplit=1)[-1].lower().rstrip(".") if before else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
            pieces.append(line_group[start : match.start()])
            start = match.end()
        pieces.append(line_group[start:])
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]


def make_passages(blocks: Iterable[Block], *, max_words: int = 200) -> list[Passage]:
    """Group blocks into passages of at most about ``max_words`` words."""
    passages: list[Passage] = []
    current: list[Block] = []
    count = 0

    def flush() -> None:
        nonlocal count
        if current:
            first = current[0]
            text = "\n\n".join(block.text for block in current)
            passages.append(Passage(text, first.heading, first.line, first.page))
        current.clear()
        count = 0

    for block in blocks:
        size = len(block.text.split())
        same_place = bool(current) and (
            current[0].heading == block.heading and current[0].page == block.page
        )
        if not same_place or count + size > max_words:
            flush()
        if size > max_words:
            passages.extend(_cut_long(block, max_words))
            continue
        current.append(block)
        count += size
    flush()
    return passages


def _cut_long(block: Block, max_words: int) -> list[Passage]:
    """Cut one long paragraph between sentences (or words, for run-on text)."""
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in split_sentences(block.text):
        tokens = sentence.split()
        while len(tokens) > max_words:  # a "sentence" with no end: cut by words
            if current:
                pieces.append(" ".join(current))
                current, count = [], 0
            pieces.append(" ".join(tokens[:max_words]))
            tokens = tokens[max_words:]
        if count + len(tokens) > max_words and current:
            pieces.append(" ".join(current))
            current, count = [], 0
        current.append(" ".join(tokens))
        count += len(tokens)
    if current:
        pieces.append(" ".join(current))
    return [Passage(text, block.heading, block.line, block.page) for text in pieces]
