"""Training the intent model: fine-tune MiniLM, or fit a head on frozen embeddings.

Both methods end in the same folder layout (see :mod:`assistant.intents.model`):
an ONNX encoder with mean pooling and a linear head. PyTorch, transformers and
scikit-learn are imported here only, so answering never needs them.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import IntentSettings
from assistant.errors import ModelError
from assistant.intents.model import ENCODER_FILE, HEAD_FILE, META_FILE
from assistant.models.encoder import (
    TOKENIZER_FILE,
    EncoderSession,
    check_encoder_folder,
    encode_batch,
    export_onnx,
    load_tokenizer,
    load_torch_encoder,
    mean_pool,
)

__all__ = ["TrainingResult", "train_model"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainingResult:
    folder: Path
    seconds: float
    examples: int
    labels: int


def train_model(
    examples: Sequence[tuple[str, str]],
    target: Path,
    *,
    settings: IntentSettings,
    encoder_path: Path,
    fingerprint: str = "",
    progress: Progress | None = None,
) -> TrainingResult:
    """Train on (text, intent) pairs and write the model folder ``target``.

    The folder is built beside ``target`` and renamed into place at the end, so
    an interrupted run never leaves a half-written model behind.

    Raises:
        ModelError: there is too little data, or the encoder cannot be loaded.
    """
    labels = sorted({label for _, label in examples})
    if len(labels) < 2:
        raise ModelError("Training needs at least two intents with examples.")
    check_encoder_folder(encoder_path)
    started = time.perf_counter()
    say = progress or (lambda message: logger.info("%s", message))

    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        raise ModelError(
            f"Cannot write the model cache {staging.parent}: {exc}"
        ) from exc
    try:
        shutil.copyfile(encoder_path / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        trainer = _finetune if settings.method == "finetune" else _fit_frozen_head
        weight, bias, normalize = trainer(
            examples,
            labels,
            staging,
            settings=settings,
            encoder_path=encoder_path,
            say=say,
        )
        np.savez(staging / HEAD_FILE, weight=weight, bias=bias)
        meta = {
            "labels": labels,
            "fingerprint": fingerprint,
            "method": settings.method,
            "normalize": normalize,
            "max_tokens": settings.max_tokens,
            "quantized": settings.quantize,
            "examples": len(examples),
            "trained_at": datetime.now(UTC).isoformat(),
            "seconds": round(time.perf_counter() - started, 1),
        }
        (staging / META_FILE).write_text(json.dumps(meta, indent=2), "utf-8")
        _replace_dir(staging, target)
    except OSError as exc:
        raise ModelError(f"Cannot write the model cache {target}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    seconds = time.perf_counter() - started
    say(
        f"Trained {len(labels)} intents on {len(examples)} examples in {seconds:.0f} s."
    )
    return TrainingResult(target, seconds, len(examples), len(labels))


def _finetune(
    examples: Sequence[tuple[str, str]],
    labels: list[str],
    staging: Path,
    *,
    settings: IntentSettings,
    encoder_path: Path,
    say: Progress,
) -> tuple[Any, Any, bool]:
    import torch

    torch.manual_seed(settings.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    encoder = load_torch_encoder(encoder_path)
    # The word embeddings stay as they are: a third of the weights, updated
    # sparsely anyway, and leaving them alone halves the optimiser's work.
    encoder.get_input_embeddings().requires_grad_(False)
    head = torch.nn.Linear(encoder.config.hidden_size, len(labels))
    tokenizer = load_tokenizer(encoder_path / TOKENIZER_FILE, settings.max_tokens)

    index = {label: i for i, label in enumerate(labels)}
    texts = [text for text, _ in examples]
    targets = torch.tensor([index[label] for _, label in examples])
    loss_fn = torch.nn.CrossEntropyLoss(weight=_class_weights(examples, labels))
    steps_per_epoch = -(-len(texts) // settings.batch_size)
    total_steps = steps_per_epoch * settings.epochs
    optimizer = torch.optim.AdamW(
        [
            {
                "params": [p for p in encoder.parameters() if p.requires_grad],
                "lr": settings.learning_rate,
            },
            {"params": head.parameters(), "lr": settings.learning_rate * 20},
        ],
        weight_decay=0.01,
    )
    warmup = max(1, total_steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(
            (step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup))
        ),
    )

    rng = random.Random(settings.seed)
    order = list(range(len(texts)))
    encoder.train()
    for epoch in range(settings.epochs):
        rng.shuffle(order)
        running = 0.0
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            ids, mask = encode_batch(tokenizer, [texts[i] for i in batch])
            pooled = mean_pool(encoder, torch.from_numpy(ids), torch.from_numpy(mask))
            loss = loss_fn(head(pooled), targets[batch])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += float(loss.detach()) * len(batch)
            step = start // settings.batch_size + 1
            if step % max(1, steps_per_epoch // 4) == 0 and step < steps_per_epoch:
                say(
                    f"epoch {epoch + 1}/{settings.epochs}: {step / steps_per_epoch:.0%}"
                )
        say(f"epoch {epoch + 1}/{settings.epochs}: loss {running / len(texts):.4f}")

    encoder.eval()
    export_onnx(encoder, staging / ENCODER_FILE, quantize=settings.quantize)
    return head.weight.detach().numpy(), head.bias.detach().numpy(), False


def _fit_frozen_head(
    examples: Sequence[tuple[str, str]],
    labels: list[str],
    staging: Path,
    *,
    settings: IntentSettings,
    encoder_path: Path,
    say: Progress,
) -> tuple[Any, Any, bool]:
    from sklearn.linear_model import LogisticRegression

    encoder = load_torch_encoder(encoder_path).eval()
    export_onnx(encoder, staging / ENCODER_FILE, quantize=settings.quantize)
    session = EncoderSession(
        staging / ENCODER_FILE, staging / TOKENIZER_FILE, max_tokens=settings.max_tokens
    )
    say(f"encoding {len(examples)} examples")
    embeddings = session.embed([text for text, _ in examples])
    embeddings /= np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)

    classifier = LogisticRegression(C=20.0, max_iter=2000, class_weight="balanced")
    classifier.fit(embeddings, [label for _, label in examples])
    if list(classifier.classes_) != labels:
        raise ModelError("The head's classes do not match the labels.")
    return (
        classifier.coef_.astype(np.float32),
        classifier.intercept_.astype(np.float32),
        True,
    )


def _class_weights(examples: Sequence[tuple[str, str]], labels: list[str]) -> Any:
    """Square-root inverse frequency: big classes count less, without drowning."""
    import torch

    counts = Counter(label for _, label in examples)
    mean = len(examples) / len(labels)
    return torch.tensor([(mean / counts[label]) ** 0.5 for label in labels])


def _replace_dir(source: Path, target: Path) -> None:
    """Put ``source`` at ``target``; an older folder there is removed after the swap."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        target.replace(old)
    source.replace(target)
    shutil.rmtree(old, ignore_errors=True)
