"""``python -m assistant``: the same as the ``assistant`` command."""

from __future__ import annotations

from assistant.cli import main

main()
