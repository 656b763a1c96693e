"""Keeps the approximate index on disk in step with the catalog, one changed product at a time."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.recommender.faiss_index import FaissIndex
from bot.store.catalog import CatalogItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexUpdate:
    rebuilt: bool
    upserted: int
    removed: int


class IndexStore:
    """The index in `folder` with the text hash of every product in it (`keys.json`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index: FaissIndex | None = None
        self._keys: dict[int, str] = {}
        keys_file = folder / "keys.json"
        if keys_file.exists():
            try:
                index = FaissIndex.load(folder)
                keys = {int(k): v for k, v in json.loads(keys_file.read_text()).items()}
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("rebuilding the unreadable index in %s (%s)", folder, exc)
            else:
                self.index, self._keys = index, keys

    def update(self, items: Sequence[CatalogItem], vectors: np.ndarray) -> IndexUpdate:
        """Bring the index to these items and vectors (row i of `vectors` is items[i])."""
        keys = {item.id: item.text_hash for item in items}
        if self.index is None or self.index.stale:
            ids = np.array(list(keys), dtype=np.int64)
            self.index = FaissIndex.build(ids, vectors)
            update = IndexUpdate(rebuilt=True, upserted=len(items), removed=0)
        else:
            changed = [
                i for i, item in enumerate(items) if self._keys.get(item.id) != item.text_hash
            ]
            gone = [pid for pid in self._keys if pid not in keys]
            self.index.remove(gone)
            if changed:
                ids = np.array([items[i].id for i in changed], dtype=np.int64)
                self.index.upsert(ids, vectors[changed])
            update = IndexUpdate(rebuilt=False, upserted=len(changed), removed=len(gone))
        if update.rebuilt or update.upserted or update.removed:
            self._keys = keys
            self.index.save(self.folder)
            (self.folder / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
        return update
