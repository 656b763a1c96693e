"""The approximate nearest-neighbour index: faiss's inverted file (IVF) by inner product.

Each vector lives in the cell of its nearest centroid (spherical k-means, trained once); a query
scans the `nprobe` cells nearest to it. Vectors are added, replaced and removed by product id
without re-training (a hash table maps each id to its place in its cell); `stale` says when the
catalog has grown so far past the trained size that the cells should be re-trained. Persisted
as a faiss index file and a JSON header (no pickle).
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

INDEX_FILE = "index.faiss"
HEADER_FILE = "index.json"
TRAIN_POINTS_PER_CELL = 39
"""k-means trains on a sample of this many vectors per cell: the fewest faiss accepts unwarned."""
GROWTH_BEFORE_RETRAIN = 4


def default_cells(count: int) -> int:
    return max(1, min(int(4 * math.sqrt(count)), count // TRAIN_POINTS_PER_CELL))


def default_nprobe(cells: int) -> int:
    return max(1, min(cells, max(8, cells // 16)))


def as_rows(vectors: np.ndarray) -> np.ndarray:
    """Vectors as the C-contiguous float32 matrix faiss reads (one vector becomes one row)."""
    return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


def as_ids(ids: Iterable[int]) -> np.ndarray:
    """Ids as the C-contiguous int64 array faiss reads."""
    listed = ids if isinstance(ids, np.ndarray) else list(ids)
    return np.ascontiguousarray(listed, dtype=np.int64).reshape(-1)


class FaissIndex:
    kind = "faiss-ivf"

    def __init__(self, index: faiss.IndexIVFFlat, trained_size: int) -> None:
        self._index = index
        self.trained_size = trained_size
        self._lock = threading.Lock()
        """faiss allows searches side by side but not beside a change, and a refresh changes
        the index while worker threads search it."""

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        cells: int | None = None,
        nprobe: int | None = None,
        seed: int = 0,
    ) -> FaissIndex:
        rows = as_rows(vectors)
        cells = min(len(rows), cells or default_cells(len(rows)))
        dim = rows.shape[1]
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, cells, faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = seed
        index.cp.max_points_per_centroid = TRAIN_POINTS_PER_CELL
        index.train(rows)
        index.nprobe = nprobe or default_nprobe(cells)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        index.add_with_ids(rows, as_ids(ids))
        return cls(index, trained_size=len(rows))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def cells(self) -> int:
        return int(self._index.nlist)

    @property
    def nprobe(self) -> int:
        return int(self._index.nprobe)

    @property
    def stale(self) -> bool:
        """The index has grown so far past its trained size that its cells should be re-trained."""
        return len(self) > GROWTH_BEFORE_RETRAIN * self.trained_size

    def remove(self, ids: Iterable[int]) -> None:
        """Drop these ids; ids not in the index are skipped."""
        with self._lock:
            self._remove(as_ids(ids))

    def upsert(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors; an id already present gets the new vector."""
        ids, rows = as_ids(ids), as_rows(vectors)
        with self._lock:
            self._remove(ids)
            self._index.add_with_ids(rows, ids)

    def _remove(self, ids: np.ndarray) -> None:
        # The hash table finds each id at once, but only through an IDSelectorArray; `ids` must
        # outlive the selector, which reads it in place.
        self._index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))

    def search(
        self, query: np.ndarray, k: int, nprobe: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ids of (about) the `k` vectors nearest to `query`, and their scores."""
        params = faiss.SearchParametersIVF(nprobe=nprobe or self.nprobe)
        with self._lock:
            scores, ids = self._index.search(as_rows(query), k, params=params)
        found = ids[0] >= 0  # -1 pads the answer when the probed cells hold fewer than k
        return ids[0][found], scores[0][found]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{INDEX_FILE}.tmp"
        with self._lock:
            faiss.write_index(self._index, str(tmp))
        os.replace(tmp, folder / INDEX_FILE)
        header = folder / f"{HEADER_FILE}.tmp"
        header.write_text(json.dumps({"trained_size": self.trained_size}), encoding="utf-8")
        os.replace(header, folder / HEADER_FILE)

    @classmethod
    def load(cls, folder: Path) -> FaissIndex:
        """The index saved in `folder`; ValueError when its file is not one."""
        header = json.loads((folder / HEADER_FILE).read_text(encoding="utf-8"))
        try:
            index = faiss.read_index(str(folder / INDEX_FILE))
        except RuntimeError as exc:  # faiss's own errors: missing, truncated, foreign
            raise ValueError(f"unreadable faiss index: {exc}") from exc
        if not isinstance(index, faiss.IndexIVFFlat):
            raise ValueError(f"not an IVF index: {type(index).__name__}")
        return cls(index, trained_size=int(header["trained_size"]))
