"""FAISS at scale: exact vs approximate indexes on synthetic 384-d unit vectors.

For 10k, 30k, 100k and 1M vectors: build time, memory (the vectors plus the
IVF centroids; FAISS stores float32 rows as they are), single-query latency
(p50/p95, one thread per query as in the assistant) and recall@10 of the
approximate index against exact search. Run by hand, niced::

    nice -n 10 .venv/bin/python benchmarks/faiss_scale.py [--sizes 10000 100000]

The vectors are clustered (a mixture of 2,000 Gaussian centres, like
embeddings of real catalogues) so that an inverted file meets realistic
structure; uniform random vectors are the worst case for any ANN index.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from assistant.recommend.index import VectorIndex, default_nprobe

DIM = 384
QUERIES = 200


def vectors(count: int, seed: int) -> np.ndarray:
    centres = np.random.default_rng(0).standard_normal((2000, DIM))
    centres = centres.astype(np.float32)
    rng = np.random.default_rng(seed)
    data = np.empty((count, DIM), dtype=np.float32)
    for start in range(0, count, 100_000):
        stop = min(count, start + 100_000)
        which = rng.integers(0, len(centres), stop - start)
        noise = rng.standard_normal((stop - start, DIM)).astype(np.float32)
        data[start:stop] = centres[which] + 0.5 * noise
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    return data


def latencies(index: VectorIndex, queries: np.ndarray) -> tuple[float, float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        index.search(query[None, :], 10)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def recall(truth: np.ndarray, found: np.ndarray) -> float:
    hits = [len(set(t) & set(f)) / len(t) for t, f in zip(truth, found, strict=True)]
    return float(np.mean(hits))


def main() -> None:
    import faiss

    parser = argparse.ArgumentParser(description="FAISS scale benchmark")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000, 1_000_000]
    )
    parser.add_argument("--threads", type=int, default=1, help="per query")
    parser.add_argument("--build-threads", type=int, default=2)
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.threads)
    print(
        f"# {platform.processor() or platform.machine()}, faiss {faiss.__version__}, "
        f"{args.threads} thread(s)"
    )
    print("| vectors | index | build s | MB | p50 ms | p95 ms | recall@10 |")
    print("|---|---|---|---|---|---|---|")
    for count in args.sizes:
        data = vectors(count, seed=count)
        queries = vectors(QUERIES, seed=1)
        started = time.perf_counter()
        exact = VectorIndex.build(data, approximate_from=count + 1)
        built = time.perf_counter() - started
        faiss.omp_set_num_threads(args.threads)
        truth = exact.search(queries, 10)[1]
        p50, p95 = latencies(exact, queries)
        mb = data.nbytes / 2**20
        row = f"| {count:,} | flat | {built:.1f} | {mb:.0f} | {p50:.2f} | {p95:.2f}"
        print(row + " | 1.000 |")
        lists = max(1, int(np.sqrt(count)))
        faiss.omp_set_num_threads(args.build_threads)
        started = time.perf_counter()
        approx = VectorIndex.build(data, approximate_from=0)
        built = time.perf_counter() - started
        faiss.omp_set_num_threads(args.threads)
        for nprobe in sorted({default_nprobe(lists), max(1, lists // 32), lists // 4}):
            approx.nprobe = nprobe
            found = approx.search(queries, 10)[1]
            p50, p95 = latencies(approx, queries)
            print(
                f"| {count:,} | IVF{lists} nprobe {nprobe} | {built:.1f} | "
                f"{mb + lists * DIM * 4 / 2**20:.0f} | {p50:.2f} | {p95:.2f} | "
                f"{recall(truth, found):.3f} |",
                flush=True,
            )
        del approx
        del exact, data


if __name__ == "__main__":
    main()
