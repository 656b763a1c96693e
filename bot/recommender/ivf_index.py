"""An approximate nearest-neighbour index: an inverted file over spherical k-means cells (IVF).

Built with numpy alone, as neither hnswlib nor faiss-cpu is in the pinned environment. Each
vector lives in the cell of its nearest centroid; a query scans the `nprobe` cells nearest to it.
Vectors are added and removed without re-training; `stale` says when the catalog has grown so far
past the trained size that the cells should be re-trained. Persisted as .npy files (no pickle) and
a JSON header.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from bot.recommender.vector_search import top_k

ASSIGN_CHUNK = 8192
TRAIN_POINTS_PER_CELL = 32
KMEANS_ITERATIONS = 8
GROWTH_BEFORE_RETRAIN = 4
FULL_REBUILD_ABOVE = 1000
"""Adding more vectors than this at once re-sorts every cell instead of appending to each."""


def default_cells(count: int) -> int:
    return max(1, int(4 * math.sqrt(count)))


def default_nprobe(cells: int) -> int:
    return max(1, min(cells, max(8, cells // 16)))


def nearest_centroids(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The nearest centroid of each vector, computed in chunks to bound memory."""
    out = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), ASSIGN_CHUNK):
        chunk = vectors[start : start + ASSIGN_CHUNK]
        out[start : start + len(chunk)] = np.argmax(chunk @ centroids.T, axis=1)
    return out


def spherical_kmeans(vectors: np.ndarray, cells: int, seed: int = 0) -> np.ndarray:
    """Unit-length centroids of `cells` clusters of `vectors`, trained on a sample of them."""
    rng = np.random.default_rng(seed)
    sample_size = min(len(vectors), cells * TRAIN_POINTS_PER_CELL)
    sample = vectors[rng.choice(len(vectors), sample_size, replace=False)]
    centroids = sample[rng.choice(len(sample), cells, replace=False)].copy()
    for _ in range(KMEANS_ITERATIONS):
        assign = nearest_centroids(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, sample)
        counts = np.bincount(assign, minlength=cells)
        empty = counts == 0
        sums[empty] = sample[rng.choice(len(sample), int(empty.sum()))]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
    return centroids


class IvfIndex:
    kind = "ivf"

    def __init__(self, centroids: np.ndarray, nprobe: int, trained_size: int) -> None:
        self.centroids = centroids.astype(np.float32)
        self.nprobe = nprobe
        self.trained_size = trained_size
        dim = centroids.shape[1]
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._cell = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=bool)
        self._size = 0
        self._lock = threading.RLock()
        """Searches run on worker threads while a refresh changes the index."""
        self._row_of: dict[int, int] = {}
        self._cells: list[np.ndarray] = []

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        cells: int | None = None,
        nprobe: int | None = None,
        seed: int = 0,
    ) -> IvfIndex:
        cells = min(len(vectors), cells or default_cells(len(vectors)))
        index = cls(
            spherical_kmeans(vectors, cells, seed),
            nprobe or default_nprobe(cells),
            trained_size=len(vectors),
        )
        index.upsert(ids, vectors)
        return index

    def __len__(self) -> int:
        return len(self._row_of)

    @property
    def stale(self) -> bool:
        """The index has grown so far past its trained size that its cells should be re-trained."""
        return len(self) > GROWTH_BEFORE_RETRAIN * self.trained_size

    @property
    def nbytes(self) -> int:
        arrays = (self.centroids, self._vectors, self._ids, self._cell, self._alive)
        return sum(a.nbytes for a in arrays) + sum(c.nbytes for c in self._cells)

    def remove(self, ids: Iterable[int]) -> None:
        with self._lock:
            for product_id in ids:
                row = self._row_of.pop(int(product_id), None)
                if row is not None:
                    self._alive[row] = False

    def upsert(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors; an id already present gets the new vector."""
        ids = np.asarray(ids, dtype=np.int64)
        cells = nearest_centroids(vectors, self.centroids)
        with self._lock:
            self.remove(ids.tolist())
            self._append(ids, vectors, cells)

    def _append(self, ids: np.ndarray, vectors: np.ndarray, cells: np.ndarray) -> None:
        start, end = self._size, self._size + len(ids)
        self._reserve(end)
        self._vectors[start:end] = vectors
        self._ids[start:end] = ids
        self._cell[start:end] = cells
        self._alive[start:end] = True
        self._size = end
        self._row_of.update(zip(ids.tolist(), range(start, end), strict=True))
        if self._size > 2 * max(1, len(self._row_of)):
            self._compact()
        elif len(ids) > FULL_REBUILD_ABOVE or not self._cells:
            self._rebuild_cells()
        else:
            rows = np.arange(start, end)
            for cell in np.unique(cells):
                self._cells[cell] = np.concatenate([self._cells[cell], rows[cells == cell]])

    def _reserve(self, size: int) -> None:
        """Room for `size` rows, growing by doubling so that adding one vector is cheap."""
        capacity = len(self._ids)
        if size <= capacity:
            return
        capacity = max(size, 2 * capacity, 1024)

        def grown(array: np.ndarray) -> np.ndarray:
            out = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
            out[: self._size] = array[: self._size]
            return out

        self._vectors, self._ids = grown(self._vectors), grown(self._ids)
        self._cell, self._alive = grown(self._cell), grown(self._alive)

    def _compact(self) -> None:
        """Drop removed rows for good."""
        keep = np.flatnonzero(self._alive[: self._size])
        self._vectors, self._ids = self._vectors[keep], self._ids[keep]
        self._cell, self._alive = self._cell[keep], self._alive[keep]
        self._size = len(keep)
        self._row_of = {int(pid): row for row, pid in enumerate(self._ids.tolist())}
        self._rebuild_cells()

    def _rebuild_cells(self) -> None:
        cells = self._cell[: self._size]
        order = np.argsort(cells, kind="stable")
        bounds = np.searchsorted(cells[order], np.arange(len(self.centroids) + 1))
        self._cells = [order[bounds[c] : bounds[c + 1]] for c in range(len(self.centroids))]

    def search(
        self, query: np.ndarray, k: int, nprobe: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ids of (about) the `k` vectors nearest to `query`, and their scores."""
        probe = top_k(self.centroids @ query, nprobe or self.nprobe)
        with self._lock:
            rows = np.concatenate([self._cells[c] for c in probe])
            rows = rows[self._alive[rows]]
            scores = self._vectors[rows] @ query
            best = top_k(scores, k)
            return self._ids[rows[best]], scores[best]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self._size > len(self._row_of):
                self._compact()
            # Rows below `_size` are never written again (changes append, or grow into new
            # arrays), so these views can be saved outside the lock.
            size = self._size
            arrays: dict[str, np.ndarray] = {
                "centroids": self.centroids,
                "vectors": self._vectors[:size],
                "ids": self._ids[:size],
                "cells": self._cell[:size],
            }
        for name, array in arrays.items():
            tmp = folder / f"{name}.tmp.npy"
            np.save(tmp, array, allow_pickle=False)
            os.replace(tmp, folder / f"{name}.npy")
        header = {"nprobe": self.nprobe, "trained_size": self.trained_size}
        (folder / "ivf.json").write_text(json.dumps(header), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> IvfIndex:
        header = json.loads((folder / "ivf.json").read_text(encoding="utf-8"))

        def array(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", allow_pickle=False)

        index = cls(array("centroids"), int(header["nprobe"]), int(header["trained_size"]))
        index._vectors, index._ids = array("vectors"), array("ids")
        index._cell = array("cells")
        index._size = len(index._ids)
        index._alive = np.ones(index._size, dtype=bool)
        index._row_of = {int(pid): row for row, pid in enumerate(index._ids.tolist())}
        index._rebuild_cells()
        return index
