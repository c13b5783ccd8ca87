"""Light or dark: follow the terminal where it says which it is."""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["DARK", "LIGHT", "pick_theme", "terminal_is_light"]

DARK = "textual-dark"
LIGHT = "textual-light"
_LIGHT_BACKGROUNDS = {7, 9, 10, 11, 12, 13, 14, 15}


def terminal_is_light(environ: Mapping[str, str] | None = None) -> bool | None:
    """Whether the terminal has a light background, if it says so.

    Terminals such as rxvt, Konsole and iTerm2 (and tmux or screen inside them)
    set ``COLORFGBG`` to ``"<foreground>;<background>"`` ANSI colour numbers.

    Returns:
        True for a light background, False for a dark one, None when unknown.
    """
    value = (environ if environ is not None else os.environ).get("COLORFGBG", "")
    background = value.rsplit(";", 1)[-1].strip()
    if not background.isdigit():
        return None
    return int(background) in _LIGHT_BACKGROUNDS


def pick_theme(choice: str = "auto", environ: Mapping[str, str] | None = None) -> str:
    """The Textual theme to use: ``choice`` itself unless it is ``"auto"``.

    ``"auto"`` (and ``"light"``/``"dark"``) map to Textual's light or dark theme;
    an unknown terminal gets the dark one.
    """
    if choice == "light":
        return LIGHT
    if choice in ("auto", "") and terminal_is_light(environ):
        return LIGHT
    if choice in ("auto", "dark", ""):
        return DARK
    return choice
