"""Cold start and per-sentence latency of the default assistant.

Trains the default intent model into a temporary home if needed (or uses
``--home``), then times, each in a fresh process:

- ``assistant --help``;
- ``assistant ask "what time is it" --json`` (the whole command, cold);
- with ``--offline``, the same under ``unshare -n`` (no network at all);

and, in this process, single-sentence classification latency (p50/p95) of the
int8 ONNX model over a fixed list of sentences.

    python benchmarks/startup.py [--home DIR] [--runs 5] [--offline]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import load_settings
from assistant.intents.classifier import IntentClassifier

SENTENCES = [
    "what time is it",
    "remind me to call mum tomorrow at 5pm",
    "can you recommend a good science fiction novel like dune",
    "what's the weather going to be like this weekend in lisbon",
    "hello",
    "find the notes i took about the quarterly budget meeting last week",
    "who painted the sistine chapel ceiling",
    "never mind",
]


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--offline", action="store_true", help="also run under unshare -n"
    )
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="assistant-startup-"))
    classifier = IntentClassifier(load_settings(home), progress=print)
    model = classifier.model
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    cli = [sys.executable, "-m", "assistant"]
    ask = [*cli, "ask", "what time is it", "--json"]

    results: dict[str, object] = {}
    results["help_s"] = [
        round(timed([*cli, "--help"], env), 3) for _ in range(args.runs)
    ]
    results["ask_cold_s"] = [round(timed(ask, env), 3) for _ in range(args.runs)]
    if args.offline:
        offline = ["unshare", "-n", *ask]
        results["ask_cold_offline_s"] = [
            round(timed(offline, env), 3) for _ in range(args.runs)
        ]

    for text in SENTENCES:
        model.predict(text)
    times = []
    for _ in range(50):
        for text in SENTENCES:
            started = time.perf_counter()
            model.predict(text)
            times.append((time.perf_counter() - started) * 1000)
    results["classify_p50_ms"] = round(float(np.percentile(times, 50)), 2)
    results["classify_p95_ms"] = round(float(np.percentile(times, 95)), 2)
    for key in ("help_s", "ask_cold_s", "ask_cold_offline_s"):
        if key in results:
            results[key.replace("_s", "_median_s")] = statistics.median(results[key])  # type: ignore[arg-type]
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
