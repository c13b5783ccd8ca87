"""Time from starting `assistant chat` to its first frame, in a real terminal.

Each run starts `python -m assistant chat` in a fresh tmux session and polls
`capture-pane` every 5 ms until the window's footer is drawn; the clock
starts just before tmux is asked to start the process, so the number
includes tmux's own start (an upper bound). It also records when the window
says "Ready." (the intent model loaded), to show that the first frame does
not wait for it.

    python benchmarks/ui_first_frame.py [--home DIR] [--runs 5]

``--home`` should hold a trained model (otherwise "Ready." waits for
training); the default is the tests' cache in ``.cache/test-home``.

On a busy machine wall-clock times grow with the load, so it also runs the
window in a child process (under tmux, importing what `assistant chat`
imports) that records, right after its first refresh, the CPU time the
process has used since it started: what the first frame costs, whatever the
load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_FRAME = "Quit"
READY = "Ready."


def one_run(home: Path, *, timeout: float = 120.0) -> tuple[float, float, bool]:
    """Seconds to the first frame and to "Ready."; was the model still loading?"""
    server = f"ui-bench-{os.getpid()}-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", server]
    command = f"'{sys.executable}' -m assistant chat --home '{home}'"
    started = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "b", "-x", "100", "-y", "30", command],
        check=True,
    )
    first = ready = 0.0
    loading = False
    try:
        while time.perf_counter() - started < timeout:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "b"],
                capture_output=True,
                text=True,
            ).stdout
            now = time.perf_counter() - started
            if not first and FIRST_FRAME in screen:
                first = now
                loading = READY not in screen
            if READY in screen:
                ready = now
                break
            time.sleep(0.005)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    return first, ready, loading


def cpu_run(out: Path) -> tuple[float, float]:
    """CPU seconds and wall seconds the window's process took to its first frame."""
    server = f"ui-bench-{os.getpid()}-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", server]
    command = f"'{sys.executable}' '{__file__}' --child '{out}'"
    out.unlink(missing_ok=True)
    subprocess.run([*tmux, "new-session", "-d", "-s", "c", command], check=True)
    try:
        for _ in range(2000):
            if out.exists() and out.read_text().endswith("\n"):
                break
            time.sleep(0.02)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    cpu, wall = out.read_text().split()
    return float(cpu), float(wall)


def child(out: Path) -> None:
    """Open the window, write CPU and wall time at its first refresh, leave."""
    import resource

    import assistant.cli  # noqa: F401 - `assistant chat` imports it first
    from assistant.tui.app import ChatApp

    class Timed(ChatApp):
        def _start(self) -> None:  # no model: only the window is timed
            usage = resource.getrusage(resource.RUSAGE_SELF)
            ticks = os.sysconf("SC_CLK_TCK")
            started = int(Path("/proc/self/stat").read_text().split()[21]) / ticks
            uptime = float(Path("/proc/uptime").read_text().split()[0])
            cpu = usage.ru_utime + usage.ru_stime
            out.write_text(f"{cpu:.3f} {uptime - started:.3f}\n")
            self.exit()

    Timed(voice=False).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return

    with tempfile.TemporaryDirectory() as scratch:
        home = args.home
        if home is None:
            home = Path(scratch) / "home"
            home.mkdir()
            (home / "cache").symlink_to(ROOT / ".cache" / "test-home" / "cache")
        one_run(home)  # warm the file system cache once
        results = [one_run(home) for _ in range(args.runs)]
        cpus = [cpu_run(Path(scratch) / "cpu.txt") for _ in range(args.runs)]

    firsts = [r[0] for r in results]
    readies = [r[1] for r in results]
    print(f"first frame: median {statistics.median(firsts):.2f} s, "
          f"range {min(firsts):.2f}-{max(firsts):.2f} s")  # fmt: skip
    print(f"ready:       median {statistics.median(readies):.2f} s, "
          f"range {min(readies):.2f}-{max(readies):.2f} s")  # fmt: skip
    print(f"model still loading at first frame: {sum(r[2] for r in results)}"
          f"/{len(results)} runs")  # fmt: skip
    print(f"CPU time to first refresh: median "
          f"{statistics.median(c[0] for c in cpus):.2f} s, range "
          f"{min(c[0] for c in cpus):.2f}-{max(c[0] for c in cpus):.2f} s "
          f"(wall {statistics.median(c[1] for c in cpus):.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
