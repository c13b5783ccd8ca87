"""Reminder phrases: the reference time, the expected result and ours.

Reads the phrase table the tests use (``tests/data/reminder_phrases.yml``),
resolves each phrase at its reference time (the clock frozen there with
time-machine) and prints a Markdown table, the share that is right (overall
and on the cases the specification lists) and the parse time per phrase.

    python benchmarks/reminders_parse.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
import yaml

from assistant.skills.reminders.parse import Request, parse_request

TABLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "reminder_phrases.yml"


def expected(case: dict[str, Any]) -> str:
    if "problem" in case:
        return f"ask/refuse: {case['problem']}"
    if case.get("due") is None and "due" in case:
        return "ask when"
    text = case.get("due") or ""
    return f"{text} (UTC {case['utc']})" if "utc" in case else text


def shown(request: Request, case: dict[str, Any]) -> str:
    if request.problem is not None:
        return f"ask/refuse: {request.problem}"
    if request.due is None:
        return "ask when"
    local = request.due.replace(tzinfo=None).isoformat(timespec="minutes")
    if request.due.second:
        local = request.due.replace(tzinfo=None).isoformat(timespec="seconds")
    if "utc" in case:
        utc = request.due.astimezone(UTC).replace(tzinfo=None)
        return f"{local} (UTC {utc.isoformat(timespec='minutes')})"
    return local


def right(request: Request, case: dict[str, Any]) -> bool:
    if request.problem != case.get("problem"):
        return False
    if "due" in case and case["due"] is None:
        return request.due is None
    if "due" in case and (
        request.due is None
        or request.due.replace(tzinfo=None) != datetime.fromisoformat(case["due"])
    ):
        return False
    if "utc" in case and (
        request.due is None
        or request.due.astimezone(UTC).replace(tzinfo=None)
        != datetime.fromisoformat(case["utc"])
    ):
        return False
    return "task" not in case or request.task == case["task"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timing runs per phrase")
    args = parser.parse_args()
    cases = yaml.safe_load(TABLE.read_text("utf-8"))

    print("| reference (local) | zone | phrase | expected | result | ok |")
    print("|---|---|---|---|---|---|")
    timings: list[float] = []
    correct = listed = listed_correct = 0
    for case in cases:
        zone = ZoneInfo(case["zone"])
        reference = datetime.fromisoformat(case["now"]).replace(tzinfo=zone)
        with time_machine.travel(reference, tick=False):
            now = datetime.now(zone)
            request = parse_request(case["say"], now)
        for _ in range(args.repeat):  # timed on the real clock, same reference
            started = time.perf_counter()
            parse_request(case["say"], now)
            timings.append((time.perf_counter() - started) * 1000)
        ok = right(request, case)
        correct += ok
        listed += bool(case.get("listed"))
        listed_correct += ok and bool(case.get("listed"))
        print(
            f"| {case['now'].replace('T', ' ')} | {case['zone']} | {case['say']} "
            f"| {expected(case)} | {shown(request, case)} | {'yes' if ok else 'NO'} |"
        )
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print()
    share = 100 * correct / len(cases)
    print(f"Right: {correct}/{len(cases)} ({share:.1f} %); ", end="")
    print(f"cases listed in the specification: {listed_correct}/{listed}.")
    print(
        f"Parse time per phrase: median {statistics.median(timings):.2f} ms, "
        f"p95 {p95:.2f} ms ({len(timings)} runs)."
    )
    return 0 if correct == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
