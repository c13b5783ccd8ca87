"""Logging for the chat window: to a file in the user data directory, not the screen.

The file is opened once the settings (and so the home) are known, which is
after the first frame: reading them imports pydantic.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

__all__ = ["log_to_file", "quiet_terminal"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def quiet_terminal() -> None:
    """Stop logging to the terminal, where it would draw over the window.

    Removes the root logger's handlers that write to stdout or stderr; levels
    set before (``--verbose``) stay. Records are dropped until
    :func:`log_to_file` adds the file.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        stream = getattr(handler, "stream", None)
        if stream in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__):
            root.removeHandler(handler)
    root.addHandler(logging.NullHandler())


def log_to_file(home: Path) -> Path:
    """Send every log record to ``<home>/logs/assistant.log``.

    Returns:
        The log file's path.
    """
    folder = home / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "assistant.log"

    root = logging.getLogger()
    handler = RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=2, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    ours = logging.getLogger("assistant")
    if ours.level == logging.NOTSET or ours.level > logging.INFO:
        ours.setLevel(logging.INFO)  # --verbose (DEBUG) stays
    return path
