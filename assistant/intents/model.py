"""A trained intent model on disk, and the decision taken from its scores.

A model folder holds ``encoder.onnx`` (the encoder with mean pooling),
``tokenizer.json``, ``head.npz`` (a linear layer over the embedding) and
``meta.json`` (labels, the data fingerprint, how it was trained).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import numpy as np

from assistant.errors import ModelError
from assistant.intents.dataset import OUT_OF_SCOPE
from assistant.models.encoder import TOKENIZER_FILE, EncoderSession

__all__ = ["Decision", "IntentModel", "Prediction", "decide", "rank", "softmax"]

logger = logging.getLogger(__name__)

ENCODER_FILE = "encoder.onnx"
HEAD_FILE = "head.npz"
META_FILE = "meta.json"

# Intents that never take part in a clarifying question.
_NOT_CLARIFIED = frozenset(
    {OUT_OF_SCOPE, "dialog.affirm", "dialog.deny", "dialog.cancel"}
)


@dataclass(frozen=True, slots=True)
class Prediction:
    """Intents ranked by probability, best first."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def top(self) -> tuple[str, float]:
        return self.ranked[0]

    @property
    def runner_up(self) -> tuple[str, float]:
        return self.ranked[1] if len(self.ranked) > 1 else ("", 0.0)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a turn: accept an intent, decline it, or ask which one.

    ``kind`` is ``"accept"``, ``"out_of_scope"`` or ``"clarify"``; for
    ``"clarify"`` the two candidates are ``intent`` and ``runner_up``.
    """

    kind: str
    intent: str
    confidence: float
    runner_up: str
    runner_up_confidence: float


class IntentModel:
    """Classifies sentences with a model folder written by the trainer.

    Raises:
        ModelError: the folder is incomplete or damaged.
    """

    def __init__(self, folder: Path, *, threads: int | None = None) -> None:
        self.folder = folder
        try:
            self.meta: dict[str, Any] = json.loads(
                (folder / META_FILE).read_text("utf-8")
            )
            with (folder / HEAD_FILE).open("rb") as file, np.load(file) as head:
                self._weight = head["weight"].astype(np.float32)
                self._bias = head["bias"].astype(np.float32)
            self.labels: list[str] = [str(label) for label in self.meta["labels"]]
            max_tokens = int(self.meta.get("max_tokens", 48))
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            BadZipFile,
        ) as exc:
            raise ModelError(f"The intent model in {folder} is damaged: {exc}") from exc
        rows = len(self.labels)
        if (
            self._weight.ndim != 2
            or self._weight.shape[0] != rows
            or self._bias.shape != (rows,)
        ):
            raise ModelError(f"The intent model in {folder} does not match its labels.")
        self._normalize = bool(self.meta.get("normalize", False))
        self._encoder = EncoderSession(
            folder / ENCODER_FILE,
            folder / TOKENIZER_FILE,
            max_tokens=max_tokens,
            threads=threads,
        )

    @property
    def version(self) -> str:
        """Identifies the trained model: method and data fingerprint."""
        fingerprint = str(self.meta.get("fingerprint", ""))[:12]
        return f"{self.meta.get('method', '?')}-{fingerprint}"

    def predict(self, text: str) -> Prediction:
        return self.predict_batch([text])[0]

    @property
    def head(self) -> tuple[Any, Any]:
        """The linear head over the features: (labels x dim) weights, biases."""
        return self._weight, self._bias

    def predict_batch(self, texts: Sequence[str]) -> list[Prediction]:
        """Probabilities of every intent for each text."""
        return rank(self.labels, self.probabilities(texts))

    def features(self, texts: Sequence[str]) -> Any:
        """A (texts x dim) array: what the head reads for each text."""
        embeddings = self._encoder.embed(texts)
        if self._normalize:
            norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
            embeddings = embeddings / np.maximum(norms, 1e-12)
        return embeddings

    def probabilities(self, texts: Sequence[str]) -> Any:
        """A (texts x labels) array of softmax probabilities."""
        return softmax(self.features(texts) @ self._weight.T + self._bias)


def softmax(logits: Any) -> Any:
    """Row-wise softmax of a (rows x labels) array."""
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def rank(labels: Sequence[str], probabilities: Any) -> list[Prediction]:
    """One :class:`Prediction` per row of a (texts x labels) probability array."""
    predictions = []
    for row in probabilities:
        order = np.argsort(-row)
        predictions.append(Prediction(tuple((labels[i], float(row[i])) for i in order)))
    return predictions


def decide(prediction: Prediction, *, threshold: float, margin: float) -> Decision:
    """Accept the top intent, call the turn out of scope, or ask between the top two.

    Out of scope when the top intent is ``out_of_scope`` or its probability is
    below ``threshold``. A clarifying question when the two best in-scope
    intents together clear the threshold but are within ``margin`` of each other.
    """
    (intent, confidence), (second, second_confidence) = (
        prediction.top,
        prediction.runner_up,
    )
    close = confidence - second_confidence < margin
    both_in_scope = intent not in _NOT_CLARIFIED and second not in _NOT_CLARIFIED
    if close and both_in_scope and confidence + second_confidence >= threshold:
        kind = "clarify"
    elif intent == OUT_OF_SCOPE or confidence < threshold:
        kind = "out_of_scope"
    else:
        kind = "accept"
    logger.debug(
        "intent=%s confidence=%.3f runner_up=%s (%.3f) "
        "threshold=%.2f margin=%.2f -> %s",
        intent, confidence, second, second_confidence, threshold, margin, kind,
    )  # fmt: skip
    return Decision(kind, intent, confidence, second, second_confidence)
