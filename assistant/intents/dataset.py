"""Intent data: the YAML files shipped in the package plus the user's own.

Each file holds a mapping ``intents`` from an intent name to its description
and examples::

    intents:
      reminder.create:
        description: set a reminder      # used in clarifying questions
        examples:
          - remind me to call mum at 5pm
      music.practice:                     # a new intent a user adds
        description: log guitar practice
        reply: Logged. Keep at it!        # optional fixed answer
        examples:
          - I practised guitar for 20 minutes

Files in ``<home>/intents/*.yml`` are read after the packaged ones: an intent
that exists already gains their examples (and their description or reply, if
given); a new name adds an intent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError

__all__ = ["OUT_OF_SCOPE", "IntentData", "IntentSpec", "load_intent_data"]

logger = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"


@dataclass
class IntentSpec:
    """One intent: its name, how to describe it and the sentences that teach it."""

    name: str
    description: str
    examples: list[str] = field(default_factory=list)
    reply: str | None = None
    sources: list[str] = field(default_factory=list)


@dataclass
class IntentData:
    """All intents, merged from every file, and problems met while reading."""

    intents: dict[str, IntentSpec]
    problems: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return sorted(self.intents)

    def examples(self) -> list[tuple[str, str]]:
        """Every (text, intent) pair, in a stable order."""
        return [
            (text, name) for name in self.labels for text in self.intents[name].examples
        ]

    def fingerprint(self) -> str:
        """A hash of the examples and labels: the trained model's cache key."""
        canonical = json.dumps(self.examples(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def describe(self, name: str) -> str:
        spec = self.intents.get(name)
        return spec.description if spec else name


def load_intent_data(user_dir: Path | None = None) -> IntentData:
    """Read the packaged intents, then ``user_dir/*.yml`` on top.

    A broken user file is skipped and reported in ``problems``; a broken packaged
    file is a bug and raises.

    Raises:
        ConfigError: a packaged intent file is invalid.
    """
    intents: dict[str, IntentSpec] = {}
    package = resources.files("assistant.intents") / "data"
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            _merge(intents, _parse(entry.read_text("utf-8"), entry.name), entry.name)

    problems: list[str] = []
    for path in _user_files(user_dir):
        try:
            parsed = _parse(path.read_text("utf-8"), str(path))
            empty = [
                n
                for n, b in parsed.items()
                if n not in intents and not b.get("examples")
            ]
            if empty:
                raise ConfigError(f"new intents need examples: {', '.join(empty)}")
            _merge(intents, parsed, str(path))
        except (ConfigError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"Skipped {path}: {exc}")
            logger.info("Skipped intent file %s: %s", path, exc)

    for spec in intents.values():
        spec.examples = _unique(spec.examples)
    empty = [name for name, spec in intents.items() if not spec.examples]
    if empty:
        raise ConfigError(f"These intents have no examples: {', '.join(empty)}")
    return IntentData(intents=intents, problems=problems)


def _user_files(user_dir: Path | None) -> list[Path]:
    if user_dir is None or not user_dir.is_dir():
        return []
    return sorted([*user_dir.glob("*.yml"), *user_dir.glob("*.yaml")])


def _parse(text: str, source: str) -> dict[str, dict[str, Any]]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("intents"), dict):
        raise ConfigError(f"{source} must hold a mapping 'intents: {{name: ...}}'.")

    parsed: dict[str, dict[str, Any]] = {}
    for name, body in document["intents"].items():
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{source}: intent names must be non-empty text.")
        body = body or {}
        if not isinstance(body, dict) or not isinstance(body.get("examples", []), list):
            raise ConfigError(f"{source}: '{name}' needs a list under 'examples'.")
        bad = [
            e
            for e in body.get("examples", [])
            if not isinstance(e, str) or not e.strip()
        ]
        if bad:
            raise ConfigError(
                f"{source}: '{name}' has examples that are not text: "
                f"{reprlib.repr(bad[:3])} "
                "(quote words such as yes, no, on, off)."
            )
        parsed[name.strip()] = body
    return parsed


def _merge(
    intents: dict[str, IntentSpec], parsed: dict[str, dict[str, Any]], source: str
) -> None:
    for name, body in parsed.items():
        spec = intents.setdefault(name, IntentSpec(name=name, description=name))
        spec.examples.extend(e.strip() for e in body.get("examples", []))
        if body.get("description"):
            spec.description = str(body["description"])
        if body.get("reply"):
            spec.reply = str(body["reply"])
        spec.sources.append(source)


def _unique(texts: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for text in texts:
        key = " ".join(text.lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(text)
    return kept
