"""The microphone path without hardware: a private PulseAudio server whose
virtual microphone is fed from a speech file (see the recipe in
``../shared/TESTING.md``), so ``assistant listen`` really hears and answers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from voice_support import clip, needs_speech

TOOLS = ("pulseaudio", "pactl", "pacat", "paplay")
RATE = "16000"


def _pactl(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(["pactl", *args], env=env, capture_output=True, text=True,
                          timeout=20, check=True)  # fmt: skip
    return done.stdout.strip()


@pytest.fixture(scope="module")
def virtual_mic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment variables under which the default input is a virtual mic."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"PulseAudio is not installed (missing {', '.join(missing)}); "
                    ".ci/run installs it with apt")  # fmt: skip
    runtime = tmp_path_factory.mktemp("pulse")
    runtime.chmod(0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["HOME"] = str(runtime)
    subprocess.run(
        ["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--disallow-exit",
         "--load=module-native-protocol-unix", f"--log-target=file:{runtime}/log"],
        env=env, check=True, timeout=30, capture_output=True,
    )  # fmt: skip
    keepalive = None
    try:
        _wait_for_server(env)
        _pactl(env, "load-module", "module-null-sink", "sink_name=speakers")
        _pactl(env, "load-module", "module-null-sink", "sink_name=micsink",
               "format=s16le", f"rate={RATE}", "channels=1")  # fmt: skip
        _pactl(env, "load-module", "module-remap-source", "master=micsink.monitor",
               "source_name=vmic")  # fmt: skip
        _pactl(env, "set-default-sink", "speakers")
        _pactl(env, "set-default-source", "vmic")
        keepalive = subprocess.Popen(
            ["pacat", "--playback", "-d", "micsink", "--latency-msec=20",
             "--format=s16le", f"--rate={RATE}", "--channels=1", "--raw", "/dev/zero"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1.0)
        yield env
    finally:
        if keepalive is not None:
            keepalive.terminate()
            keepalive.wait(timeout=10)
        pid_file = runtime / "pulse" / "pid"
        if pid_file.is_file():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)


def _wait_for_server(env: dict[str, str]) -> None:
    for _ in range(100):
        done = subprocess.run(["pactl", "info"], env=env, capture_output=True,
                              timeout=10, check=False)  # fmt: skip
        if done.returncode == 0:
            return
        time.sleep(0.1)
    pytest.fail("The private PulseAudio server did not start")


def _speak(env: dict[str, str], path: Path) -> None:
    subprocess.run(["paplay", "--device=micsink", str(path)], env=env, check=True,
                   timeout=60, capture_output=True)  # fmt: skip


@needs_speech
def test_listen_hears_the_virtual_microphone_and_answers(
    virtual_mic: dict[str, str], home: Path
) -> None:
    env = {
        **virtual_mic,
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_CONVERSATION__TIMEZONE": "UTC",
        "PYTHONUNBUFFERED": "1",
    }
    listener = subprocess.Popen(
        [sys.executable, "-m", "assistant", "listen"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_hear_ctrl_c,
    )  # fmt: skip
    lines: list[str] = []
    try:
        _lines_until(listener, "Listening", lines, timeout=300)
        _speak(virtual_mic, clip("cmd_what_time_is_it.wav"))
        _lines_until(listener, "assistant>", lines, timeout=180)
        _speak(virtual_mic, clip("synthetic_white_noise_-40dBFS_5s.wav"))
        time.sleep(1.0)
    finally:
        out, err = _interrupt(listener)
    shown = "\n".join([*lines, out])

    assert "you> What time is it?" in shown, (shown, err)
    assert "assistant> It's" in shown
    assert shown.count("assistant>") == 1  # the noise was not answered
    assert "Stopped listening" in shown
    assert listener.returncode == 0, err
    assert "Traceback" not in err


def test_listen_without_an_input_device_says_so(tmp_path: Path, home: Path) -> None:
    empty = tmp_path / "no-audio"
    empty.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env.update(XDG_RUNTIME_DIR=str(empty), ASSISTANT_HOME=str(home))
    probe = subprocess.run(
        [sys.executable, "-c", "from assistant.voice.microphone import input_devices;"
         "print(len(input_devices()))"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if probe.returncode == 0 and probe.stdout.strip() != "0":
        pytest.skip("this machine has a real input device")

    shown = subprocess.run(
        [sys.executable, "-m", "assistant", "listen"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert shown.returncode == 1
    assert "Traceback" not in shown.stderr
    if "PortAudio is not installed" in probe.stderr:  # no audio library at all
        assert "PortAudio is not installed" in shown.stderr
        assert "apt install libportaudio2" in shown.stderr
    else:
        assert "No microphone found" in shown.stderr
        assert "--device" in shown.stderr


def _lines_until(
    process: subprocess.Popen[str], marker: str, lines: list[str], *, timeout: float
) -> None:
    """Read output lines into ``lines`` until one holds ``marker``."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line.rstrip("\n"))
        if marker in line:
            return
    pytest.fail(f"no {marker!r} line in time; got {lines!r}")


def _hear_ctrl_c() -> None:
    """Let the child take Ctrl-C even when the tests run in the background
    (a shell starts background jobs with SIGINT ignored, and children inherit it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Ctrl-C, as a user stops ``listen``; killed (and reported) if it hangs."""
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=30)
        pytest.fail(f"listen did not stop on Ctrl-C; output {out!r}, errors {err!r}")
