"""Answers on SQuAD v1.1 dev: the whole dev set as one knowledge base.

Every paragraph of the 2,067 is indexed (heading = article title) through the
assistant's own chunking, FTS5 and FAISS index; each of the 10,570 questions
is asked, and the answer counts when the top sentence holds a gold answer
(P@1) or one of the top five does (top-5). Sentence-score weights are chosen
on the first 2,000 questions and reported on all and on the other 8,570.
The "don't know" threshold is calibrated against questions the set cannot
answer (CLINC150 test sentences): the highest that keeps 99 % of the right
answers. Vectors are cached under the temp folder.

    nice python benchmarks/qa_squad.py [--questions N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embedding_cache import CachedEmbedder

from assistant.config import KnowledgeSettings, load_settings
from assistant.knowledge import Answerer, KnowledgeBase
from assistant.knowledge.chunking import make_passages
from assistant.knowledge.readers import Block
from assistant.storage import Database

SHARED = Path(
    os.environ.get("ASSISTANT_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
SQUAD = SHARED / "qa" / "squad"
CLINC = SHARED / "intent" / "clinc150" / "test.tsv"
TUNE = 2000
KEEP_RIGHT = 0.99
"""The "don't know" threshold may drop at most 1 % of the right answers."""
GRID = [(o, p) for o in (0.0, 0.15, 0.3, 0.5, 0.8) for p in (0.0, 0.15, 0.3, 0.5)]


def build(folder: Path, embedder: CachedEmbedder) -> tuple[KnowledgeBase, float]:
    settings = load_settings(folder)
    base = KnowledgeBase(settings, Database(settings.database_path), embedder=embedder)
    documents = []
    with (SQUAD / "squad-v1.1-dev.paragraphs.jsonl").open() as handle:
        for line in handle:
            row = json.loads(line)
            title = row["title"].replace("_", " ")
            passages = make_passages(
                [Block(row["context"], title)],
                max_words=settings.knowledge.passage_words,
            )
            documents.append((f"squad:{row['paragraph_id']}", passages))
    started = time.perf_counter()
    vectors = base.embed_passages([p for _, passages in documents for p in passages])
    embedder.save()
    at = 0
    for path, passages in documents:
        base.put_document(path, passages, vectors=vectors[at : at + len(passages)])
        at += len(passages)
    base.flush()
    return base, time.perf_counter() - started


def components(answerer: Answerer, question: str, vector: Any) -> list[Any]:
    """(sentence, similarity, overlap, passage share) of every candidate."""
    found = answerer.candidates(question, vector=vector, limit=1000)
    top = max((c.hit.score for c in found), default=1.0) or 1.0
    return [(c.sentence, c.similarity, c.overlap, c.hit.score / top) for c in found]


def ranked(rows: list[Any], overlap: float, passage: float) -> list[tuple[str, float]]:
    scored = [(s, sim + overlap * ov + passage * ps) for s, sim, ov, ps in rows]
    return sorted(scored, key=lambda pair: -pair[1])


def hit_at(rows: list[tuple[str, float]], answers: list[str], k: int) -> bool:
    return any(any(a in s for a in answers) for s, _ in rows[:k])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=0, help="0: all")
    args = parser.parse_args()
    if not SQUAD.is_dir():
        sys.exit(f"SQuAD is not at {SQUAD}")
    questions = [
        json.loads(line) for line in (SQUAD / "squad-v1.1-dev.questions.jsonl").open()
    ]
    if args.questions:
        questions = questions[: args.questions]
    embedder = CachedEmbedder("squad")
    home = Path(tempfile.mkdtemp(prefix="squad-kb-"))
    base, build_seconds = build(home, embedder)
    print(
        f"indexed {base.passage_count} passages in {build_seconds:.1f} s "
        f"({embedder.embedded} embedded, {embedder.seconds:.1f} s embedding)"
    )
    answerer = Answerer(base, cache_size=100_000)
    vectors = embedder.embed([q["question"] for q in questions])

    rows = []
    for number, (question, vector) in enumerate(zip(questions, vectors, strict=True)):
        rows.append(components(answerer, question["question"], vector))
        if number % 1000 == 0:
            print(f"  {number} questions", flush=True)
    embedder.save()
    gold = [[a["text"] for a in q["answers"]] for q in questions]

    tuning = []
    for overlap, passage in GRID:
        ordered = [ranked(r, overlap, passage) for r in rows[:TUNE]]
        p1 = np.mean([hit_at(o, g, 1) for o, g in zip(ordered, gold, strict=False)])
        tuning.append((p1, overlap, passage))
    best_p1, overlap, passage = max(tuning)
    print(f"tuned on {TUNE}: overlap {overlap}, passage {passage} (P@1 {best_p1:.3f})")
    for label, lo, hi in (("all", 0, len(rows)), ("held out", TUNE, len(rows))):
        ordered = [ranked(r, overlap, passage) for r in rows[lo:hi]]
        p1 = np.mean(
            [hit_at(o, g, 1) for o, g in zip(ordered, gold[lo:hi], strict=True)]
        )
        p5 = np.mean(
            [hit_at(o, g, 5) for o, g in zip(ordered, gold[lo:hi], strict=True)]
        )
        print(f"{label}: {hi - lo} questions, P@1 {p1:.3f}, top-5 {p5:.3f}")
    defaults = KnowledgeSettings()
    for name, w_o, w_p in (
        ("dense sentence only", 0.0, 0.0),
        ("defaults", defaults.overlap_weight, defaults.passage_weight),
    ):
        ordered = [ranked(r, w_o, w_p) for r in rows]
        p1 = np.mean([hit_at(o, g, 1) for o, g in zip(ordered, gold, strict=True)])
        print(f"{name}: P@1 {p1:.3f}")

    calibrate(answerer, embedder, rows, gold, overlap, passage)
    latency(base, answerer, questions)


def calibrate(
    answerer: Answerer,
    embedder: CachedEmbedder,
    rows: list[Any],
    gold: list[list[str]],
    overlap: float,
    passage: float,
) -> None:
    """Scores of SQuAD's questions against those of questions it cannot answer."""
    with CLINC.open() as handle:
        texts = [row[0] for row in csv.reader(handle, delimiter="\t")][1:]
    unrelated = texts[::5]
    vectors = embedder.embed(unrelated)
    embedder.save()
    negatives = np.array(
        [
            ranked(components(answerer, t, v), overlap, passage)[0][1]
            for t, v in zip(unrelated, vectors, strict=True)
        ]
    )
    best = [ranked(r, overlap, passage) for r in rows]
    positives = np.array([b[0][1] for b in best])
    correct = np.array([hit_at(b, g, 1) for b, g in zip(best, gold, strict=True)])
    print(f"calibration: {len(unrelated)} unrelated CLINC150 sentences")
    chosen = 0.0
    for threshold in np.arange(0.5, 1.31, 0.05):
        kept = positives >= threshold
        if correct[kept].sum() >= KEEP_RIGHT * correct.sum():
            chosen = float(threshold)
        print(
            f"  threshold {threshold:.2f}: unrelated refused "
            f"{np.mean(negatives < threshold):.3f}, "
            f"SQuAD answered {kept.mean():.3f}, P@1 of answered "
            f"{correct[kept].mean() if kept.any() else 0:.3f}, "
            f"right answers kept {correct[kept].sum() / max(1, correct.sum()):.3f}"
        )
    print(
        f"chosen threshold (the highest keeping {KEEP_RIGHT:.0%} of right answers): "
        f"{chosen:.2f}; unrelated refused {np.mean(negatives < chosen):.3f}"
    )


def latency(base: KnowledgeBase, answerer: Answerer, questions: list[Any]) -> None:
    """End-to-end answer time: question embedding, search, sentence scoring."""
    from assistant.config import EmbeddingSettings
    from assistant.models.embedder import Embedder

    real = Embedder(
        EmbeddingSettings(), Path(tempfile.gettempdir()) / "assistant-bench" / "models"
    )
    real.embed(["warm up"])
    times = []
    for question in questions[::53][:200]:
        started = time.perf_counter()
        vector = real.embed([question["question"]])[0]
        answerer.candidates(question["question"], vector=vector, limit=5)
        times.append(time.perf_counter() - started)
    print(
        f"answer latency over {len(times)} questions, {base.passage_count} passages: "
        f"p50 {np.percentile(times, 50) * 1000:.1f} ms, "
        f"p95 {np.percentile(times, 95) * 1000:.1f} ms "
        f"(sentence vectors cached; {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
