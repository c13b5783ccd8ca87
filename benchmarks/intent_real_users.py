"""The default intent model on real users' phrasing (CLINC150 test, mapped).

Trains on the project's own intent data only, then classifies CLINC150's test
sentences mapped onto the assistant's intents through
``../shared/data/intent/clinc150_to_assistant.tsv`` (rows mapped to ``skip``
are left out). Reports the recall of each in-scope intent and the share of
out-of-scope sentences that were accepted as some in-scope intent.

    python benchmarks/intent_real_users.py [--method finetune|frozen] [--home DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from assistant.config import load_settings
from assistant.intents.classifier import IntentClassifier
from assistant.intents.dataset import OUT_OF_SCOPE
from assistant.intents.model import decide

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "intent"


def mapped_test_set(data: Path) -> list[tuple[str, str]]:
    with (data / "clinc150_to_assistant.tsv").open(encoding="utf-8") as handle:
        mapping = dict(
            list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
        )
    with (data / "clinc150" / "test.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [
        (text, mapping[label])
        for text, label in rows
        if mapping.get(label, "skip") != "skip"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=["finetune", "frozen"], default="finetune")
    parser.add_argument(
        "--home", type=Path, help="reuse a model cached under this home"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not (DATA / "clinc150_to_assistant.tsv").is_file():
        print(f"needs the shared evaluation data at {DATA}", file=sys.stderr)
        return 2

    home = args.home or Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    settings = load_settings(home, intents={"method": args.method})
    classifier = IntentClassifier(
        settings, progress=lambda line: print(line, flush=True)
    )
    started = time.perf_counter()
    model = classifier.model
    train_seconds = time.perf_counter() - started

    pairs = mapped_test_set(DATA)
    predictions = model.predict_batch([text for text, _ in pairs])
    intents = settings.intents
    decisions = [
        decide(p, threshold=intents.threshold, margin=intents.clarify_margin)
        for p in predictions
    ]

    support: Counter[str] = Counter()
    accepted_right: Counter[str] = Counter()
    clarified_right: Counter[str] = Counter()
    oos_total = oos_accepted = 0
    oos_taken_as: Counter[str] = Counter()
    for (_, gold), decision in zip(pairs, decisions, strict=True):
        if gold == OUT_OF_SCOPE:
            oos_total += 1
            oos_accepted += decision.kind != "out_of_scope"
            if decision.kind == "accept":
                oos_taken_as[decision.intent] += 1
            continue
        support[gold] += 1
        if decision.kind == "accept" and decision.intent == gold:
            accepted_right[gold] += 1
        elif decision.kind == "clarify" and gold in (
            decision.intent,
            decision.runner_up,
        ):
            clarified_right[gold] += 1

    result = {
        "method": args.method,
        "model_seconds": round(train_seconds, 1),
        "threshold": intents.threshold,
        "clarify_margin": intents.clarify_margin,
        "sentences": len(pairs),
        "recall": {
            n: round(accepted_right[n] / support[n], 3) for n in sorted(support)
        },
        "recall_with_clarify": {
            n: round((accepted_right[n] + clarified_right[n]) / support[n], 3)
            for n in sorted(support)
        },
        "support": dict(sorted(support.items())),
        "oos_sentences": oos_total,
        "oos_accepted_rate": round(oos_accepted / oos_total, 4),
        "oos_taken_as": dict(oos_taken_as.most_common()),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    worst = min(result["recall"].values())
    print(
        f"lowest in-scope recall {worst:.1%}; "
        f"out-of-scope accepted {oos_accepted / oos_total:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
