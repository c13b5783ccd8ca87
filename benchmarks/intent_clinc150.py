"""The intent engine on CLINC150 "full": in-scope accuracy and out-of-scope recall.

Trains the assistant's own engine on CLINC150 train (150 intents plus the 100
out-of-scope rows as an explicit ``out_of_scope`` class), picks the confidence
threshold on the validation set, and scores the test set (4,500 in-scope and
1,000 out-of-scope sentences), as in Larson et al. 2019, Table 2. Also reports
training time and single-sentence classification latency.

    python benchmarks/intent_clinc150.py [--method finetune|frozen] [--epochs N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import IntentSettings
from assistant.intents.model import IntentModel
from assistant.intents.training import train_model
from assistant.models.encoder import default_encoder_path

DATA = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "intent"
    / "clinc150"
)
OOS = "out_of_scope"


def read(split: str) -> list[tuple[str, str]]:
    with (DATA / f"{split}.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [(text, OOS if label == "oos" else label) for text, label in rows]


def score(
    probs: Any, labels: list[str], gold: list[str], threshold: float
) -> dict[str, float]:
    """In-scope accuracy and out-of-scope recall at one threshold."""
    top = probs.argmax(axis=1)
    predicted = [
        OOS if probs[i, j] < threshold else labels[j] for i, j in enumerate(top)
    ]
    inscope = [(p, g) for p, g in zip(predicted, gold, strict=True) if g != OOS]
    oos = [p for p, g in zip(predicted, gold, strict=True) if g == OOS]
    return {
        "in_scope_accuracy": sum(p == g for p, g in inscope) / len(inscope),
        "oos_recall": sum(p == OOS for p in oos) / len(oos),
    }


def latency(model: IntentModel, texts: list[str]) -> dict[str, float]:
    for text in texts[:20]:
        model.predict(text)
    times = []
    for text in texts:
        started = time.perf_counter()
        model.predict(text)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=["finetune", "frozen"], default="finetune")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--no-quantize", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--model", type=Path, help="score this trained model folder")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"needs the shared evaluation data at {DATA}", file=sys.stderr)
        return 2

    train, val, test = read("train"), read("val"), read("test")
    train_seconds = None
    folder = args.model
    if folder is None:
        settings = IntentSettings(
            method=args.method, epochs=args.epochs, quantize=not args.no_quantize
        )
        folder = Path(tempfile.mkdtemp(prefix="clinc150-")) / "model"
        result = train_model(
            train, folder, settings=settings, encoder_path=default_encoder_path(),
            progress=lambda line: print(line, flush=True),
        )  # fmt: skip
        train_seconds = round(result.seconds, 1)
    model = IntentModel(folder)

    val_probs = model.probabilities([t for t, _ in val])
    grid = [round(x, 2) for x in np.arange(0.0, 1.0, 0.02)]
    val_scores = {
        t: score(val_probs, model.labels, [g for _, g in val], t) for t in grid
    }
    best = max(grid, key=lambda t: sum(val_scores[t].values()))
    # The rule used to pick the shipped threshold: the highest one that costs at
    # most one point of in-scope accuracy on the validation set.
    floor = val_scores[0.0]["in_scope_accuracy"] - 0.01
    cautious = max(t for t in grid if val_scores[t]["in_scope_accuracy"] >= floor)

    test_probs = model.probabilities([t for t, _ in test])
    gold = [g for _, g in test]
    report = {
        "method": model.meta.get("method"),
        "quantized": model.meta.get("quantized"),
        "train_examples": len(train),
        "train_seconds": train_seconds,
        "threshold_max_sum_on_val": best,
        "test_at_max_sum_threshold": score(test_probs, model.labels, gold, best),
        "threshold_1pt_cost_on_val": cautious,
        "test_at_1pt_cost_threshold": score(test_probs, model.labels, gold, cautious),
        "test_no_threshold": score(test_probs, model.labels, gold, 0.0),
        "test_by_threshold": {
            str(t): score(test_probs, model.labels, gold, t)
            for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
        },
        "latency_single_sentence": latency(model, [t for t, _ in test[:300]]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
