"""Training users' intent layers in the background and swapping them in."""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.feedback.layer import UserLayer, fit_layer
from assistant.intents.classifier import IntentClassifier
from assistant.intents.model import Prediction, rank, softmax

__all__ = ["SHARED", "Learner"]

logger = logging.getLogger(__name__)

SHARED = "shared"
"""The layer key used for everyone when ``feedback.share_learning`` is on."""

Examples = Callable[[str | None], list[tuple[str, str]]]


class Learner:
    """Each user's own intent layer: loaded lazily, retrained on one worker thread.

    ``respond`` never waits for training: until a new layer is ready, the one
    before it (or the shipped model) answers, and the swap is one assignment
    under a lock.

    Args:
        settings: where layers are kept and how they are fitted.
        classifier: the shipped model the layers sit on.
        examples: the learned (text, intent) pairs of a user (``None``: everyone).
    """

    def __init__(
        self, settings: Settings, classifier: IntentClassifier, examples: Examples
    ) -> None:
        self.settings = settings
        self.classifier = classifier
        self._examples = examples
        self._layers: dict[str, UserLayer | None] = {}
        self._generation: dict[str, int] = {}
        self._pending: dict[str, str | None] = {}
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._closed = False
        self._fitting = False

    def key(self, user: str) -> str:
        """The layer ``user`` is classified with: theirs, or the shared one."""
        if self.settings.feedback.share_learning:
            return SHARED
        return "user-" + hashlib.sha256(user.encode("utf-8")).hexdigest()[:24]

    def folder(self, user: str) -> Path:
        return self.settings.learned_dir / self.key(user)

    def head(self, user: str) -> tuple[Any, Any, str]:
        """The weights and biases ``user`` is classified with, and their version."""
        model = self.classifier.model
        layer = self._layer(user)
        if layer is None or layer.base_version != model.version:
            return (*model.head, model.version)
        return layer.weight, layer.bias, layer.version

    def predict(self, text: str, user: str) -> tuple[Prediction, str] | None:
        """Classify with ``user``'s own layer, with its version; ``None`` when
        they have none (the shipped model then answers)."""
        model = self.classifier.model
        layer = self._layer(user)
        if layer is None or layer.base_version != model.version:
            return None
        logits = model.features([text]) @ layer.weight.T + layer.bias
        return rank(model.labels, softmax(logits))[0], layer.version

    def schedule(self, user: str) -> None:
        """Retrain ``user``'s layer soon, on the worker thread."""
        key = self.key(user)
        with self._lock:
            if self._closed:
                return
            self._pending[key] = None if key == SHARED else user
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, name="intent-learner", daemon=True
                )
                self._worker.start()

    @property
    def busy(self) -> bool:
        """Whether a retrain is running or waiting to run."""
        with self._lock:
            return bool(self._pending) or (
                self._worker is not None and self._worker.is_alive()
            )

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no retrain is pending; ``False`` if ``timeout`` ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running(), timeout)

    def drop(self, user: str) -> None:
        """Delete ``user``'s layer from memory and disk; a running fit is discarded.

        With a shared layer, it is retrained without the user's examples instead.
        """
        key = self.key(user)
        with self._lock:
            self._generation[key] = self._generation.get(key, 0) + 1
            self._pending.pop(key, None)
            self._layers[key] = None
            if key != SHARED:
                shutil.rmtree(self.folder(user), ignore_errors=True)
        if key == SHARED:
            self.schedule(user)

    def refresh(self, user: str) -> None:
        """Reread ``user``'s layer on next use, retraining it if out of date."""
        with self._lock:
            self._layers.pop(self.key(user), None)

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the fit in progress; pending retrains run on the next start."""
        with self._lock:
            self._closed = True
            self._pending.clear()
            worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _running(self) -> bool:
        return bool(self._pending) or self._fitting

    def _layer(self, user: str) -> UserLayer | None:
        key = self.key(user)
        with self._lock:
            if key in self._layers:
                return self._layers[key]
        layer = UserLayer.load(self.folder(user))
        with self._lock:
            self._layers.setdefault(key, layer)
            layer = self._layers[key]
        learned = len(self._examples(None if key == SHARED else user))
        stale = layer is not None and (
            layer.base_version != self.classifier.model.version
            or layer.examples != learned
        )
        if stale or (layer is None and learned):
            logger.info("Intent layer %s is out of date; retraining it", key)
            self.schedule(user)
        return layer

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._closed:
                    self._fitting = False
                    self._idle.notify_all()
                    return
                key, user = next(iter(self._pending.items()))
                del self._pending[key]
                generation = self._generation.get(key, 0)
                self._fitting = True
            try:
                self._retrain(key, user, generation)
            except Exception:  # the worker must survive; the old layer keeps answering
                logger.exception("Retraining the intent layer %s failed", key)

    def _retrain(self, key: str, user: str | None, generation: int) -> None:
        learned = self._examples(user)
        folder = self.settings.learned_dir / key
        model = self.classifier.model
        layer = None
        if learned:
            shipped = self.classifier.data.examples()
            layer = fit_layer(model, shipped, learned, settings=self.settings.feedback)
        with self._lock:
            if self._generation.get(key, 0) != generation or self._closed:
                logger.info("Discarding a retrain of %s: its data changed", key)
                return
            if layer is None:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                layer.save(folder)
            self._layers[key] = layer
        logger.info(
            "Intent layer %s ready: %d learned examples",
            key,
            0 if layer is None else layer.examples,
        )
