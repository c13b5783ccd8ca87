"""Does correcting the assistant make it better, and only where it was corrected?

A simulated user talks to the assistant with real sentences from CLINC150,
mapped to the assistant's intents through
``../shared/data/intent/clinc150_to_assistant.tsv`` (rows marked ``skip`` are
left out). The test rows are split, per intent, into a correction half and a
held-out half. The user says the correction sentences one by one and, each
time the assistant gets the intent wrong, corrects it (``Assistant.feedback``
with ``correct_intent``). The shipped model makes too few mistakes on half of
the test rows to reach 200 corrections, so once they are used up the user
goes on with CLINC150's training and validation rows (never the held-out half).

Accuracy per intent on the held-out half is measured before any correction
and after 10, 50 and 200, once the user's intent layer has been retrained in
the background. Held-out sentences are classified exactly as ``respond``
would (correction memory, user layer, thresholds).

    python benchmarks/feedback_learning.py [--data ../shared/data] [--seed 13]
        [--user-weight W] [--anchor A]    # feedback settings to try
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from assistant.bot import Assistant
from assistant.intents.model import rank, softmax

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "intent"  # --data overrides the folder
MILESTONES = (10, 50, 200)
CHUNK = 256
USER = "simulated"


def read_rows(split: str, mapping: dict[str, str]) -> list[tuple[str, str]]:
    """(text, assistant intent) pairs of a CLINC150 split, ``skip`` rows left out."""
    with (DATA / "clinc150" / f"{split}.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [
        (text, mapping[label])
        for text, label in rows
        if mapping.get(label, "skip") != "skip"
    ]


def split_halves(
    rows: list[tuple[str, str]], rng: random.Random
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Per intent, half of the rows to correct and half to hold out."""
    by_intent: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_intent[row[1]].append(row)
    correct, held_out = [], []
    for intent in sorted(by_intent):
        group = by_intent[intent]
        rng.shuffle(group)
        middle = len(group) // 2
        correct += group[:middle]
        held_out += group[middle:]
    rng.shuffle(correct)
    return correct, held_out


def acted_on(bot: Assistant, texts: list[str], features: Any) -> list[str]:
    """The intents the assistant would act on for ``texts``, as ``respond`` decides
    (the user's current layer, then their corrections); ``features`` are the
    texts' encoder outputs, computed once since the encoder never changes."""
    weight, bias, version = bot.learning.learner.head(USER)
    predictions = rank(bot.classifier.model.labels, softmax(features @ weight.T + bias))
    intents = []
    for text, prediction in zip(texts, predictions, strict=True):
        decision = bot.learning.decide(prediction)
        _, decision, _ = bot.learning.revise(text, USER, prediction, decision, version)
        intents.append(
            "out_of_scope" if decision.kind == "out_of_scope" else decision.intent
        )
    return intents


def accuracy_by_intent(
    bot: Assistant, held_out: list[tuple[str, str]], features: Any
) -> dict[str, float]:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    texts = [text for text, _ in held_out]
    for (_, gold), intent in zip(held_out, acted_on(bot, texts, features), strict=True):
        totals[gold] += 1
        hits[gold] += intent == gold
    scores = {intent: hits[intent] / totals[intent] for intent in sorted(totals)}
    scores["(all)"] = sum(hits.values()) / sum(totals.values())
    return scores


def run(seed: int, feedback: dict[str, float]) -> dict[str, Any]:
    mapping = dict(
        csv.reader((DATA / "clinc150_to_assistant.tsv").open(), delimiter="\t")
    )
    rng = random.Random(seed)
    correct_half, held_out = split_halves(read_rows("test", mapping), rng)
    extra = read_rows("train", mapping) + read_rows("val", mapping)
    rng.shuffle(extra)
    pool = correct_half + extra

    home = Path(tempfile.mkdtemp(prefix="feedback-bench-"))
    cache = Path(
        os.environ.get("ASSISTANT_TEST_CACHE") or ROOT / ".cache" / "test-home"
    )
    if (cache / "cache").is_dir():
        (home / "cache").symlink_to((cache / "cache").resolve())
    bot = Assistant(
        home=home,
        config={"feedback": feedback},
        progress=lambda line: print(line, file=sys.stderr),
    )
    bot.classifier.load()

    started = time.perf_counter()
    model = bot.classifier.model
    held_features = model.features([text for text, _ in held_out])
    results: dict[str, Any] = {
        "before": accuracy_by_intent(bot, held_out, held_features)
    }
    print(
        f"baseline measured in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    corrected: Counter[str] = Counter()
    mistaken_for: Counter[str] = Counter()
    said = 0
    retrain_waits = []
    from_test_half = 0
    for start in range(0, len(pool), CHUNK):
        chunk = pool[start : start + CHUNK]
        features = model.features([text for text, _ in chunk])
        for (text, gold), row in zip(chunk, features, strict=True):
            said += 1
            (predicted,) = acted_on(bot, [text], row[None, :])
            if predicted == gold:
                continue
            reply = bot.respond(text, user=USER)
            bot.feedback(reply.turn_id, correct_intent=gold)
            corrected[gold] += 1
            mistaken_for[predicted] += 1
            total = sum(corrected.values())
            from_test_half += said <= len(correct_half)
            if total in MILESTONES:
                waited = time.perf_counter()
                bot.learning.learner.wait()
                retrain_waits.append(round(time.perf_counter() - waited, 1))
                stage = f"after {total}"
                results[stage] = accuracy_by_intent(bot, held_out, held_features)
                print(f"{total} corrections after {said} sentences", file=sys.stderr)
            if total >= MILESTONES[-1]:
                break
        if sum(corrected.values()) >= MILESTONES[-1]:
            break

    bot.close()
    return {
        "seed": seed,
        "feedback_settings": bot.settings.feedback.model_dump(),
        "held_out": dict(Counter(gold for _, gold in held_out)),
        "sentences_said": said,
        "corrections_from_test_half": from_test_half,
        "corrected_to": dict(corrected),
        "mistaken_for": dict(mistaken_for),
        "retrain_wait_s": retrain_waits,
        "accuracy": results,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
    }


def table(report: dict[str, Any]) -> str:
    stages = list(report["accuracy"])
    lines = [
        "| intent | held out | corrections | " + " | ".join(stages) + " |",
        "|---" * (3 + len(stages)) + "|",
    ]
    intents = sorted(report["held_out"], key=lambda i: -report["held_out"][i])
    for intent in [*intents, "(all)"]:
        scores = [report["accuracy"][stage][intent] for stage in stages]
        count = report["held_out"].get(intent, sum(report["held_out"].values()))
        fixes = report["corrected_to"].get(intent, "") if intent != "(all)" else ""
        cells = " | ".join(f"{score:.1%}" for score in scores)
        lines.append(f"| {intent} | {count} | {fixes} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="Also write the report here.")
    parser.add_argument("--data", type=Path, help="The shared data folder.")
    parser.add_argument("--user-weight", type=float, help="feedback.user_weight")
    parser.add_argument("--anchor", type=float, help="feedback.anchor")
    args = parser.parse_args()
    global DATA
    if args.data is not None:
        DATA = args.data / "intent"
    if not DATA.is_dir():
        sys.exit(f"The shared data is missing: {DATA}")
    chosen = {"user_weight": args.user_weight, "anchor": args.anchor}
    report = run(args.seed, {k: v for k, v in chosen.items() if v is not None})
    print(table(report))
    print(json.dumps({k: v for k, v in report.items() if k != "accuracy"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), "utf-8")


if __name__ == "__main__":
    main()
