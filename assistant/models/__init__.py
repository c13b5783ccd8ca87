"""Loading model weights: the sentence encoder now, speech and recommender later."""

from __future__ import annotations

from assistant.models.encoder import EncoderSession, default_encoder_path

__all__ = ["EncoderSession", "default_encoder_path"]
