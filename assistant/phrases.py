"""What the assistant says: templates per locale.

The core's templates are in ``assistant/locale/<lang>.yml``; each skill may
ship its own in ``assistant/locale/<lang>/<skill>.yml``. A key defined twice
is an error, so two skills never silently overwrite each other.
"""

from __future__ import annotations

import random
from importlib import resources
from typing import Any

import yaml

__all__ = ["Phrases"]


class Phrases:
    """Templates by key; a key may hold one template or a list to vary between."""

    def __init__(self, locale: str = "en", *, seed: int | None = None) -> None:
        folder = resources.files("assistant") / "locale"
        self._templates: dict[str, Any] = {}
        self.add(yaml.safe_load((folder / f"{locale}.yml").read_text("utf-8")))
        extra = folder / locale
        if extra.is_dir():
            for item in sorted(extra.iterdir(), key=lambda entry: entry.name):
                if item.name.endswith(".yml"):
                    self.add(yaml.safe_load(item.read_text("utf-8")) or {})
        self._random = random.Random(seed)

    def add(self, templates: dict[str, Any]) -> None:
        """Add templates (a plugin's own phrases).

        Raises:
            ValueError: a key is already defined.
        """
        clashes = sorted(set(templates) & set(self._templates))
        if clashes:
            raise ValueError(f"Phrase keys defined twice: {', '.join(clashes)}")
        self._templates.update(templates)

    def keys(self) -> list[str]:
        return sorted(self._templates)

    def say(self, key: str, /, **values: Any) -> str:
        """The template under ``key`` filled with ``values``.

        Raises:
            KeyError: no template has this key.
        """
        template = self._templates[key]
        if isinstance(template, list):
            template = self._random.choice(template)
        return str(template).format(**values).strip()
