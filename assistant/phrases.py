"""What the assistant says: templates per locale in ``assistant/locale/<lang>.yml``."""

from __future__ import annotations

import random
from importlib import resources
from typing import Any

import yaml

__all__ = ["Phrases"]


class Phrases:
    """Templates by key; a key may hold one template or a list to vary between."""

    def __init__(self, locale: str = "en", *, seed: int | None = None) -> None:
        text = (resources.files("assistant") / "locale" / f"{locale}.yml").read_text(
            "utf-8"
        )
        self._templates: dict[str, Any] = yaml.safe_load(text)
        self._random = random.Random(seed)

    def say(self, key: str, /, **values: Any) -> str:
        """The template under ``key`` filled with ``values``.

        Raises:
            KeyError: no template has this key.
        """
        template = self._templates[key]
        if isinstance(template, list):
            template = self._random.choice(template)
        return str(template).format(**values).strip()
