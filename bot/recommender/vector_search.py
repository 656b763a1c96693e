"""Exact nearest-neighbour search by inner product (cosine on unit vectors)."""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` highest scores, highest first."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def exact_search(matrix: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `matrix` nearest to `query`, and their scores."""
    scores = matrix @ query
    rows = top_k(scores, k)
    return rows, scores[rows]
