"""Search on BEIR SciFact: nDCG@10 of dense, keyword (FTS5 BM25) and fused.

The 5,183 abstracts are indexed as one passage each (heading = title, as
BEIR scores whole documents) through the assistant's FTS5 and FAISS index.
Fusion settings are chosen on SciFact's train queries and reported on the
300 test queries. Also measures indexing throughput and query latency at the
set's size and at 100,000 passages (the corpus plus synthetic passages).

    nice python benchmarks/search_beir.py [--scale 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embedding_cache import CachedEmbedder

from assistant.config import load_settings
from assistant.knowledge import KnowledgeBase
from assistant.knowledge.chunking import Passage
from assistant.storage import Database

SHARED = Path(
    os.environ.get("ASSISTANT_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
SCIFACT = SHARED / "qa" / "beir" / "scifact"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open() as handle:
        return [json.loads(line) for line in handle]


def read_qrels(name: str) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with (SCIFACT / "qrels" / name).open() as handle:
        for row in list(csv.reader(handle, delimiter="\t"))[1:]:
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return qrels


def ndcg10(ranking: list[str], relevant: dict[str, int]) -> float:
    gains = sum(
        relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:10])
    )
    ideal = sorted(relevant.values(), reverse=True)[:10]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return gains / best if best else 0.0


def open_base(folder: Path, embedder: Any, **knowledge: Any) -> KnowledgeBase:
    settings = load_settings(folder, knowledge={"passage_words": 2000, **knowledge})
    return KnowledgeBase(settings, Database(settings.database_path), embedder=embedder)


def build(
    base: KnowledgeBase,
    docs: list[dict[str, Any]],
    embedder: CachedEmbedder,
    *,
    random: bool = False,
) -> float:
    if random:
        rng = np.random.default_rng(0)
        vectors = rng.normal(size=(len(docs), embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    else:
        vectors = embedder.embed([d["title"] + "\n" + d["text"] for d in docs])
        embedder.save()
    started = time.perf_counter()
    for doc, vector in zip(docs, vectors, strict=True):
        passage = Passage(doc["text"], doc["title"], None, None)
        base.put_document(f"scifact:{doc['_id']}", [passage], vectors=vector[None, :])
    base.flush()
    return time.perf_counter() - started


def evaluate(
    base: KnowledgeBase,
    queries: list[dict[str, Any]],
    vectors: Any,
    qrels: dict[str, dict[str, int]],
    method: str,
) -> float:
    scores = []
    for query, vector in zip(queries, vectors, strict=True):
        if query["_id"] not in qrels:
            continue
        hits = base.search(query["text"], limit=10, vector=vector, method=method)
        ranking = [hit.path.removeprefix("scifact:") for hit in hits]
        scores.append(ndcg10(ranking, qrels[query["_id"]]))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument(
        "--keyword-only",
        action="store_true",
        help="do not embed the corpus (random vectors): keyword scores and "
        "latency only, for machines too slow to embed 5,183 abstracts",
    )
    args = parser.parse_args()
    if not SCIFACT.is_dir():
        sys.exit(f"SciFact is not at {SCIFACT}")
    docs = read_jsonl(SCIFACT / "corpus.jsonl")
    all_queries = {q["_id"]: q for q in read_jsonl(SCIFACT / "queries.jsonl")}
    test = read_qrels("test.tsv")
    train = read_qrels("train.tsv")
    test_queries = [all_queries[i] for i in test if i in all_queries]
    train_queries = [all_queries[i] for i in train if i in all_queries][:300]
    embedder = CachedEmbedder("scifact")
    test_vectors = embedder.embed([q["text"] for q in test_queries])
    train_vectors = embedder.embed([q["text"] for q in train_queries])

    home = Path(tempfile.mkdtemp(prefix="scifact-kb-"))
    base = open_base(home, embedder)
    store_seconds = build(base, docs, embedder, random=args.keyword_only)
    print(
        f"stored {len(docs)} passages in {store_seconds:.1f} s "
        f"({len(docs) / store_seconds:.0f}/s without embedding)"
    )

    if args.keyword_only:
        for heading in (1.0, 2.0):
            base.options = base.options.model_copy(update={"heading_weight": heading})
            score = evaluate(base, test_queries, test_vectors, test, "keyword")
            print(f"test nDCG@10 keyword, heading weight {heading}: {score:.4f}")
        latency(base, test_queries, f"{len(docs)} passages", "weighted")
        grow(base, args.scale - len(docs))
        latency(base, test_queries, f"{base.passage_count} passages", "weighted")
        return
    settings = []
    for heading in (1.0, 2.0):
        for method, values in (
            ("rrf", (10, 30, 60)),
            ("weighted", (0.3, 0.4, 0.5, 0.6, 0.7)),
        ):
            for value in values:
                option = {"heading_weight": heading}
                option |= (
                    {"rrf_k": value} if method == "rrf" else {"dense_weight": value}
                )
                settings.append((method, option))
    tuned = []
    for method, option in settings:
        base.options = base.options.model_copy(update=option)
        score = evaluate(base, train_queries, train_vectors, train, method)
        tuned.append((score, method, option))
        print(f"  train {method} {option}: {score:.4f}", flush=True)
    for method in ("dense", "keyword"):
        for heading in (1.0, 2.0):
            base.options = base.options.model_copy(update={"heading_weight": heading})
            print(
                f"  train {method} heading {heading}: "
                f"{evaluate(base, train_queries, train_vectors, train, method):.4f}"
            )
    best_score, best_method, best_option = max(tuned, key=lambda t: t[0])
    print(f"chosen on train: {best_method} {best_option} ({best_score:.4f})")

    base.options = base.options.model_copy(update=best_option)
    for method in ("dense", "keyword", "rrf", "weighted"):
        print(
            f"test nDCG@10 {method}: "
            f"{evaluate(base, test_queries, test_vectors, test, method):.4f}"
        )
    base.options = base.options.model_copy(
        update={"heading_weight": best_option["heading_weight"]}
    )
    print(
        f"test nDCG@10 rrf k=60: "
        f"{evaluate(base, test_queries, test_vectors, test, 'rrf'):.4f}"
    )

    throughput(docs)
    latency(base, test_queries, f"{len(docs)} passages", best_method)
    grow(base, args.scale - len(docs))
    latency(base, test_queries, f"{base.passage_count} passages", best_method)


def throughput(docs: list[dict[str, Any]]) -> None:
    """Passages per second end to end (read, embed, store) on 300 abstracts."""
    from assistant.config import EmbeddingSettings
    from assistant.models.embedder import Embedder

    real = Embedder(
        EmbeddingSettings(), Path(tempfile.gettempdir()) / "assistant-bench" / "models"
    )
    real.embed(["warm up"])
    base = open_base(Path(tempfile.mkdtemp(prefix="scifact-speed-")), real)
    started = time.perf_counter()
    for doc in docs[:300]:
        base.put_document(
            f"scifact:{doc['_id']}", [Passage(doc["text"], doc["title"], None, None)]
        )
    base.flush()
    seconds = time.perf_counter() - started
    print(
        f"indexing with embedding: 300 abstracts in {seconds:.1f} s "
        f"({300 / seconds:.1f} passages/s)"
    )


def grow(base: KnowledgeBase, extra: int) -> None:
    """Add synthetic passages (words drawn from the corpus, random unit vectors)."""
    if extra <= 0:
        return
    rng = np.random.default_rng(0)
    rows = base.database.query("SELECT text FROM knowledge_passages LIMIT 2000")
    vocabulary = np.array(" ".join(r["text"] for r in rows).split())
    started = time.perf_counter()
    per_document = 1000
    for number in range(0, extra, per_document):
        count = min(per_document, extra - number)
        passages = [
            Passage(
                " ".join(rng.choice(vocabulary, 120)),
                f"synthetic {number + i}",
                None,
                None,
            )
            for i in range(count)
        ]
        vectors = rng.normal(size=(count, base.embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        base.put_document(f"synthetic:{number}", passages, vectors=vectors)
    base.flush()
    seconds = time.perf_counter() - started
    print(
        f"stored {extra} synthetic passages in {seconds:.1f} s "
        f"({extra / seconds:.0f}/s without embedding)"
    )


def latency(
    base: KnowledgeBase, queries: list[dict[str, Any]], label: str, method: str
) -> None:
    """Search time per query, including embedding the query."""
    from assistant.config import EmbeddingSettings
    from assistant.models.embedder import Embedder

    real = Embedder(
        EmbeddingSettings(), Path(tempfile.gettempdir()) / "assistant-bench" / "models"
    )
    real.embed(["warm up"])
    times = []
    for query in queries[:200]:
        started = time.perf_counter()
        base.search(
            query["text"],
            limit=10,
            vector=real.embed([query["text"]])[0],
            method=method,
        )
        times.append(time.perf_counter() - started)
    print(
        f"query latency at {label} ({method}): "
        f"p50 {np.percentile(times, 50) * 1000:.1f} ms, "
        f"p95 {np.percentile(times, 95) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
