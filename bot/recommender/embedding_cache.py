"""Product embeddings kept on disk, keyed by product id and a hash of its text.

Only products that are new or whose text changed are encoded again. Files: `embeddings.npy`
(float32, one row per key, loaded with allow_pickle=False) and `embeddings.json` (the model and
the keys in row order); both are replaced atomically.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.recommender.encoder import TextEncoder
from bot.store.catalog import CatalogItem

logger = logging.getLogger(__name__)

Key = tuple[int, str]


@dataclass(frozen=True)
class SyncReport:
    encoded: int
    reused: int
    dropped: int


class EmbeddingCache:
    def __init__(self, folder: Path, model: str) -> None:
        self.folder = folder
        self.model = model
        self._keys: list[Key] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._load()

    @property
    def _vectors_file(self) -> Path:
        return self.folder / "embeddings.npy"

    @property
    def _keys_file(self) -> Path:
        return self.folder / "embeddings.json"

    def _load(self) -> None:
        if not (self._vectors_file.exists() and self._keys_file.exists()):
            return
        try:
            meta = json.loads(self._keys_file.read_text(encoding="utf-8"))
            matrix = np.load(self._vectors_file, allow_pickle=False)
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable embedding cache in %s (%s)", self.folder, exc)
            return
        keys = [(int(pid), str(h)) for pid, h in meta.get("keys", [])]
        if meta.get("model") != self.model or len(keys) != len(matrix):
            logger.info("embedding cache in %s is for another model; starting afresh", self.folder)
            return
        self._keys, self._matrix = keys, matrix.astype(np.float32, copy=False)

    def _save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        vectors_tmp = self._vectors_file.with_suffix(".tmp.npy")
        keys_tmp = self._keys_file.with_suffix(".tmp")
        np.save(vectors_tmp, self._matrix, allow_pickle=False)
        keys_tmp.write_text(json.dumps({"model": self.model, "keys": self._keys}), encoding="utf-8")
        os.replace(vectors_tmp, self._vectors_file)
        os.replace(keys_tmp, self._keys_file)

    def sync(
        self, items: Sequence[CatalogItem], encode: TextEncoder
    ) -> tuple[np.ndarray, SyncReport]:
        """The vectors of `items` in their order, encoding only those not cached as they are.

        The matrix returned is never changed afterwards: a new one is made when items change."""
        keys: list[Key] = [(item.id, item.text_hash) for item in items]
        if keys == self._keys:
            return self._matrix, SyncReport(encoded=0, reused=len(keys), dropped=0)
        rows = {key: row for row, key in enumerate(self._keys)}
        missing = [i for i, key in enumerate(keys) if key not in rows]
        fresh = encode([items[i].text for i in missing])
        dim = fresh.shape[1] if len(missing) else self._matrix.shape[1]
        matrix = np.zeros((len(items), dim), dtype=np.float32)
        cached = [i for i, key in enumerate(keys) if key in rows]
        if cached:
            matrix[cached] = self._matrix[[rows[keys[i]] for i in cached]]
        if missing:
            matrix[missing] = fresh
        report = SyncReport(
            encoded=len(missing), reused=len(cached), dropped=len(rows) - len(cached)
        )
        self._keys, self._matrix = keys, matrix
        self._save()
        return matrix, report
