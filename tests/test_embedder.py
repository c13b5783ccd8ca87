from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import EmbeddingSettings
from assistant.errors import ModelError
from assistant.models.embedder import Embedder


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return Embedder(EmbeddingSettings(), tmp_path_factory.mktemp("cache"))


def test_vectors_are_unit_length_and_similar_texts_are_close(
    embedder: Embedder,
) -> None:
    vectors = embedder.embed(
        ["How do I water tomatoes?", "Watering tomato plants", "Tax refund dates"]
    )

    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert embedder.dim == 384


def test_a_second_embedder_reuses_the_export(embedder: Embedder) -> None:
    again = Embedder(EmbeddingSettings(), embedder.folder.parent.parent)

    assert again.folder == embedder.folder
    assert np.allclose(again.embed(["same"]), embedder.embed(["same"]), atol=1e-6)


def test_nothing_to_embed_gives_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed([]).shape == (0, 384)


def test_a_folder_without_an_encoder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a sentence-encoder folder"):
        Embedder(EmbeddingSettings(encoder_path=tmp_path), tmp_path / "cache")
