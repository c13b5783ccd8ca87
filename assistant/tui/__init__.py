"""The chat window (``assistant chat``): a Textual app around the assistant.

Importing this package is light; :func:`run_chat` imports Textual when called.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_chat"]


def run_chat(*, home: Path | None = None, user: str = "default") -> None:
    """Open the chat window and return when the user leaves it.

    Nothing heavier than Textual is imported before the first frame: the
    settings and the assistant load in the window's worker. Logs go to
    ``<home>/logs/assistant.log``, never to the screen.
    """
    from assistant.tui.app import ChatApp
    from assistant.tui.logfile import quiet_terminal

    quiet_terminal()
    ChatApp(home=home, user=user, log_file=True).run()
