"""Speech to text on the real recordings: accuracy and speed, backend by backend.

For every clip of ``../shared/data/speech`` with an exact reference transcript
(clips whose reference is empty must give no words), for each backend on the
packaged Whisper tiny.en (and, with ``--base``, faster-whisper on the packaged
multilingual base with language detection):

- word error rate (lower case, punctuation removed), per clip and pooled;
- real-time factor (processing time / audio length) and p50 latency per clip;
- end of speech to reply: the whole ``respond_audio`` (VAD, Whisper, intent,
  skill, SQLite log) on a 3 s command once the utterance is cut, p50 over
  ``--runs``; live, the microphone adds ``voice.min_silence_ms`` of silence
  before it cuts.

    python benchmarks/stt.py [--runs 3] [--openai-runs 1] [--base]
        [--backends faster-whisper,openai-whisper] [--home DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from assistant.config import load_settings
from assistant.voice import Transcriber, load_audio

SPEECH = Path(os.environ.get("ASSISTANT_SHARED_DATA") or "../shared/data") / "speech"
COMMAND = "cmd_would_you_please_turn_on_living_room_lamp.wav"  # 3.5 s
COMMANDS = [COMMAND, "cmd_launch_firefox.wav", "cmd_what_time_is_it.wav"]


def exact_clips() -> dict[str, str]:
    """Clip -> reference, for clips whose reference is an exact transcript."""
    with open(SPEECH / "transcripts.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    skip = re.compile(r"^\s*(\[|\"\[)|LEFT:")
    return {
        Path(r["file"]).name: r["reference_transcript"]
        for r in rows
        if not skip.search(r["reference_transcript"])
    }


def words(text: str) -> list[str]:
    text = text.lower().replace("mister", "mr")
    return re.sub(r"[^\w' ]+", " ", text).split()


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words)."""
    ref, hyp = words(reference), words(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


def run_backend(name: str, settings: dict[str, object], runs: int, cache: Path) -> dict:
    voice = load_settings(cache / "home", voice=settings).voice
    transcriber = Transcriber(voice, cache)
    started = time.perf_counter()
    transcriber.load()
    result: dict = {
        "backend": name,
        "load_s": time.perf_counter() - started,
        "runs": runs,
    }
    clips = []
    for clip, reference in exact_clips().items():
        samples = load_audio(SPEECH / "clips" / clip)
        seconds = samples.size / 16000
        times, heard = [], None
        for _ in range(runs):
            started = time.perf_counter()
            heard = transcriber.transcribe_samples(samples)
            times.append(time.perf_counter() - started)
        assert heard is not None
        edits, length = wer(reference, heard.text)
        p50 = statistics.median(times)
        clips.append({
            "clip": clip, "seconds": round(seconds, 2), "reference": reference,
            "text": heard.text, "language": heard.language, "edits": edits,
            "ref_words": length, "p50_s": round(p50, 3), "rtf": round(p50 / seconds, 3),
            "confidence": round(heard.confidence, 2),
        })  # fmt: skip
        print(f"{name:28} {clip:52} {p50:6.2f} s  {heard.text!r}", file=sys.stderr)
    result["clips"] = clips
    return result


def end_to_end(home: Path, runs: int) -> dict:
    """respond_audio on 3 s commands once cut: the time from end of speech."""
    from assistant import Assistant

    bot = Assistant(home=home)
    try:
        bot.classifier.load()
        bot.transcriber.load()
        bot.respond("hello", user="bench")  # warm
        out = {}
        for clip in COMMANDS:
            samples = load_audio(SPEECH / "clips" / clip)
            times, reply = [], None
            for _ in range(runs):
                started = time.perf_counter()
                reply = bot.respond_audio(samples, user="bench")
                times.append(time.perf_counter() - started)
            assert reply is not None
            out[clip] = {
                "seconds": round(samples.size / 16000, 2),
                "p50_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "reply": reply.text,
                "intent": reply.intent,
            }
            print(f"end-to-end {clip}: {out[clip]}", file=sys.stderr)
        return out
    finally:
        bot.close()


def markdown(results: list[dict], e2e: dict, runs: int) -> str:
    names = [r["backend"] for r in results]
    lines = [
        "| clip | s | reference | "
        + " | ".join(f"{n}: WER / p50 / RTF" for n in names)
        + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    by_clip = {c["clip"]: {} for c in results[0]["clips"]}
    for result in results:
        for c in result["clips"]:
            by_clip[c["clip"]][result["backend"]] = c
    for clip, cells in by_clip.items():
        first = next(iter(cells.values()))
        shown = []
        for name in names:
            c = cells[name]
            rate = (
                "empty ok"
                if not c["ref_words"] and not c["text"]
                else (
                    f"{c['edits'] / c['ref_words']:.0%}" if c["ref_words"] else "WORDS"
                )
            )
            shown.append(f"{rate} / {c['p50_s']:.2f} s / {c['rtf']:.2f}")
        ref = first["reference"] or "(none)"
        lines.append(
            f"| {clip} | {first['seconds']} | {ref[:40]} | " + " | ".join(shown) + " |"
        )
    lines.append("")
    lines.append(
        "| backend | load | pooled WER, English clips | pooled WER, all | "
        "p50 latency over clips | empty clips giving words |"
    )
    lines.append("|---|---|---|---|---|---|")
    for result in results:
        clips = result["clips"]
        english = [c for c in clips if not c["clip"].startswith("foreign_")]
        pooled = sum(c["edits"] for c in clips) / max(
            1, sum(c["ref_words"] for c in clips)
        )
        pooled_en = sum(c["edits"] for c in english) / max(
            1, sum(c["ref_words"] for c in english)
        )
        p50 = statistics.median(c["p50_s"] for c in clips)
        bad = sum(1 for c in clips if not c["ref_words"] and c["text"])
        lines.append(
            f"| {result['backend']} ({result['runs']} runs) | {result['load_s']:.1f} s "
            f"| {pooled_en:.1%} "
            f"| {pooled:.1%} | {p50:.2f} s | {bad} |"
        )
    lines.append("")
    lines.append(
        f"End of speech to reply (`respond_audio` on the cut utterance, "
        f"faster-whisper tiny.en, p50 of {runs}):"
    )
    lines.append("")
    lines.append("| command | length | p50 | max | reply |")
    lines.append("|---|---|---|---|---|")
    for clip, row in e2e.items():
        lines.append(
            f"| {clip} | {row['seconds']} s | {row['p50_s']:.2f} s | "
            f"{row['max_s']:.2f} s | {row['reply'][:50]} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--openai-runs", type=int, help="runs for openai-whisper (slow); default --runs"
    )
    parser.add_argument("--backends", default="faster-whisper,openai-whisper")
    parser.add_argument("--base", action="store_true", help="also multilingual base")
    parser.add_argument("--home", type=Path, help="a home with a trained model")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()
    if not (SPEECH / "transcripts.tsv").is_file():
        sys.exit(
            f"No recordings in {SPEECH}: run from the project root next to "
            "../shared, or set ASSISTANT_SHARED_DATA."
        )

    cache = Path(tempfile.mkdtemp(prefix="stt-bench-"))
    results = []
    for backend in args.backends.split(","):
        label = f"{backend} tiny.en"
        runs = args.runs
        if backend == "openai-whisper" and args.openai_runs:
            runs = args.openai_runs
        results.append(run_backend(label, {"backend": backend}, runs, cache))
    if args.base:
        settings = {"multilingual": True, "language": None}
        results.append(run_backend("faster-whisper base (detect)", settings,
                                   args.runs, cache))  # fmt: skip
    home = args.home or cache / "e2e-home"
    e2e = end_to_end(home, max(args.runs, 5))
    print(
        f"\n{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    print(markdown(results, e2e, max(args.runs, 5)))
    if args.json:
        args.json.write_text(json.dumps({"backends": results, "end_to_end": e2e},
                                        indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
