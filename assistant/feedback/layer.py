"""A user's own intent layer: the shipped head, refitted with their corrections.

The fine-tuned encoder stays as shipped; only the linear head on top of it is
refitted, on the shipped examples plus the user's corrected sentences (each
counting ``user_weight`` times), starting from the shipped head and pulled
back toward it (``anchor``). Training on the shipped examples and the pull
keep what the shipped model knows; a fit takes seconds, not minutes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import numpy as np

from assistant.config import FeedbackSettings
from assistant.intents.model import IntentModel, softmax

__all__ = ["UserLayer", "fit_layer", "shipped_features"]

logger = logging.getLogger(__name__)

LAYER_FILE = "layer.npz"
META_FILE = "layer.json"


@dataclass(frozen=True)
class UserLayer:
    """A refitted head, and the shipped model it sits on."""

    weight: Any
    bias: Any
    base_version: str
    examples: int
    fingerprint: str

    @property
    def version(self) -> str:
        """The model version logged with turns this layer classified."""
        return f"{self.base_version}+user-{self.fingerprint[:8]}"

    def save(self, folder: Path) -> None:
        """Write the layer atomically into ``folder`` (readable by its owner only)."""
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = folder / f".{LAYER_FILE}.tmp-{os.getpid()}.npz"
        with staging.open("wb") as file:
            np.savez(file, weight=self.weight, bias=self.bias)
        meta = {
            "base_version": self.base_version,
            "examples": self.examples,
            "fingerprint": self.fingerprint,
            "trained_at": datetime.now(UTC).isoformat(),
        }
        meta_staging = folder / f".{META_FILE}.tmp-{os.getpid()}"
        meta_staging.write_text(json.dumps(meta), "utf-8")
        os.replace(staging, folder / LAYER_FILE)
        os.replace(meta_staging, folder / META_FILE)

    @classmethod
    def load(cls, folder: Path) -> UserLayer | None:
        """The layer saved in ``folder``, or ``None`` when there is none (or it is
        unreadable; it is then retrained from the stored feedback)."""
        try:
            meta = json.loads((folder / META_FILE).read_text("utf-8"))
            with (folder / LAYER_FILE).open("rb") as file, np.load(file) as arrays:
                weight, bias = arrays["weight"], arrays["bias"]
            return cls(
                weight=weight,
                bias=bias,
                base_version=str(meta["base_version"]),
                examples=int(meta["examples"]),
                fingerprint=str(meta["fingerprint"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, BadZipFile) as exc:
            logger.warning(
                "Ignoring the unreadable intent layer in %s: %s", folder, exc
            )
            return None


def shipped_features(model: IntentModel, examples: Sequence[tuple[str, str]]) -> Any:
    """Features of the shipped examples, computed once per model and kept beside it."""
    digest = hashlib.sha256(json.dumps(list(examples)).encode("utf-8")).hexdigest()
    path = model.folder / f"features-{digest[:16]}.npy"
    try:
        with path.open("rb") as file:
            cached = np.load(file)
        if cached.shape[0] == len(examples):
            return cached
    except (OSError, ValueError):
        pass
    features = model.features([text for text, _ in examples]).astype(np.float32)
    staging = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with staging.open("wb") as file:
            np.save(file, features)
        os.replace(staging, path)
    except OSError as exc:  # a read-only cache only costs time
        logger.info("Cannot cache example features in %s: %s", path, exc)
    return features


def fit_layer(
    model: IntentModel,
    shipped: Sequence[tuple[str, str]],
    learned: Sequence[tuple[str, str]],
    *,
    settings: FeedbackSettings,
) -> UserLayer:
    """Refit ``model``'s head on the shipped plus the learned (text, intent) pairs."""
    index = {label: i for i, label in enumerate(model.labels)}
    learned = [(text, label) for text, label in learned if label in index]
    features = np.concatenate(
        [shipped_features(model, shipped), model.features([t for t, _ in learned])]
        if learned
        else [shipped_features(model, shipped)]
    ).astype(np.float32)
    targets = np.array([index[label] for _, label in [*shipped, *learned]])

    counts = Counter(label for _, label in shipped)
    mean = len(shipped) / max(1, len(counts))
    weights = np.array(
        [(mean / counts[label]) ** 0.5 for _, label in shipped]
        + [settings.user_weight] * len(learned),
        dtype=np.float32,
    )
    weight, bias = _descend(model, features, targets, weights, settings=settings)
    blob = json.dumps([model.version, sorted(learned), settings.model_dump()])
    return UserLayer(
        weight=weight,
        bias=bias,
        base_version=model.version,
        examples=len(learned),
        fingerprint=hashlib.sha256(blob.encode("utf-8")).hexdigest(),
    )


def _descend(
    model: IntentModel,
    features: Any,
    targets: Any,
    weights: Any,
    *,
    settings: FeedbackSettings,
) -> tuple[Any, Any]:
    """Weighted cross-entropy plus ``anchor`` times the squared distance from the
    shipped head, minimised with Adam (full batch, deterministic)."""
    start_weight, start_bias = (array.astype(np.float32) for array in model.head)
    params = [start_weight.copy(), start_bias.copy()]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    onehot = np.eye(len(model.labels), dtype=np.float32)[targets]
    share = (weights / weights.sum()).astype(np.float32)
    rate, beta1, beta2 = 0.01, 0.9, 0.999

    for step in range(1, settings.steps + 1):
        probabilities = softmax(features @ params[0].T + params[1])
        error = (probabilities - onehot) * share[:, None]
        grads = [
            error.T @ features + 2 * settings.anchor * (params[0] - start_weight),
            error.sum(axis=0) + 2 * settings.anchor * (params[1] - start_bias),
        ]
        for i, grad in enumerate(grads):
            moments[i] = beta1 * moments[i] + (1 - beta1) * grad
            squares[i] = beta2 * squares[i] + (1 - beta2) * grad**2
            corrected = moments[i] / (1 - beta1**step)
            scale = np.sqrt(squares[i] / (1 - beta2**step)) + 1e-8
            params[i] -= rate * corrected / scale
    return params[0].astype(np.float32), params[1].astype(np.float32)
