"""The intent classifier the assistant uses: cached, retrained when data changes.

The trained model lives in ``<home>/cache/intents/<fingerprint>/``, where the
fingerprint hashes the intent examples and the training settings. Editing an
intent file changes the fingerprint, so the next start trains a new model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path

from assistant.config import Settings
from assistant.errors import ModelError
from assistant.intents.dataset import IntentData, load_intent_data
from assistant.intents.model import Decision, IntentModel, Prediction, decide
from assistant.intents.training import Progress, train_model
from assistant.models.encoder import default_encoder_path, encoder_identity

__all__ = ["IntentClassifier"]

logger = logging.getLogger(__name__)

TRAINING_VERSION = 1
"""Bump when training changes in a way that should invalidate cached models."""


class IntentClassifier:
    """Loads (training first if needed) and applies the intent model.

    Args:
        settings: where the cache is and how to train and decide.
        data: the intents; default: packaged plus ``<home>/intents/*.yml``.
        progress: called with a line of text while training.
    """

    def __init__(
        self,
        settings: Settings,
        data: IntentData | None = None,
        *,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.data = (
            data if data is not None else load_intent_data(settings.user_intents_dir)
        )
        self._progress = progress
        self._model: IntentModel | None = None
        self._lock = threading.Lock()

    @property
    def encoder_path(self) -> Path:
        return self.settings.intents.encoder_path or default_encoder_path()

    @property
    def cache_key(self) -> str:
        """Hash of the examples, the training settings and the encoder used."""
        options = self.settings.intents.model_dump(
            mode="json", exclude={"threshold", "clarify_margin"}
        )
        # The packaged weights are named by version, not path, so a model
        # trained in one virtual environment is reused from another.
        options["encoder"] = encoder_identity(self.settings.intents.encoder_path)
        options["training_version"] = TRAINING_VERSION
        blob = json.dumps([self.data.fingerprint(), options], sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]

    @property
    def folder(self) -> Path:
        return self.settings.cache_dir / "intents" / self.cache_key

    @property
    def is_trained(self) -> bool:
        return (self.folder / "meta.json").is_file()

    @property
    def model(self) -> IntentModel:
        """The loaded model; trained first when the cache has none."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def load(self) -> IntentModel:
        """Load the model now (training it first when the cache has none)."""
        return self.model

    def train(self) -> IntentModel:
        """Train now, even when a cached model exists, and use the result."""
        with self._lock:
            self._train()
            self._model = IntentModel(self.folder)
            return self._model

    def classify(self, text: str) -> tuple[Prediction, Decision]:
        prediction = self.model.predict(text)
        decision = decide(
            prediction,
            threshold=self.settings.intents.threshold,
            margin=self.settings.intents.clarify_margin,
        )
        return prediction, decision

    def _load(self) -> IntentModel:
        if self.is_trained:
            try:
                return IntentModel(self.folder)
            except ModelError as exc:
                logger.warning("Cached intent model unusable (%s); retraining.", exc)
                shutil.rmtree(self.folder, ignore_errors=True)
        self._train()
        return IntentModel(self.folder)

    def _train(self) -> None:
        say = self._progress or (lambda message: logger.info("%s", message))
        say(
            f"Training the intent model ({self.settings.intents.method}); "
            "this runs once."
        )
        train_model(
            self.data.examples(),
            self.folder,
            settings=self.settings.intents,
            encoder_path=self.encoder_path,
            fingerprint=self.data.fingerprint(),
            progress=say,
        )
        self._prune_old_models()

    def _prune_old_models(self) -> None:
        """Remove models of older data, and staging folders of dead trainings."""
        for other in self.folder.parent.iterdir():
            if not other.is_dir() or other.name == self.folder.name:
                continue
            if ".tmp-" in other.name and _process_alive(other.name.rsplit("-", 1)[-1]):
                continue
            shutil.rmtree(other, ignore_errors=True)


def _process_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
