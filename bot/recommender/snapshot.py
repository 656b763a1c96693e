"""Everything a ranking reads, built at one refresh and never changed after: safe across threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from bot.recommender.faiss_index import FaissIndex
from bot.recommender.signals import StoreSignals
from bot.recommender.vector_search import top_k
from bot.store.catalog import CatalogItem

POPULAR_POOL = 200
"""With an approximate index, the most popular items are always among the candidates."""


@dataclass(frozen=True)
class Snapshot:
    items: list[CatalogItem]
    vectors: np.ndarray
    """Row i is the unit-length embedding of items[i]."""
    signals: StoreSignals
    index: FaissIndex | None
    """None: search is exact over every row (small catalogs)."""
    built_at: datetime
    row: dict[int, int] = field(init=False)
    by_id: dict[int, CatalogItem] = field(init=False)
    by_sku: dict[str, CatalogItem] = field(init=False)
    popularity: np.ndarray = field(init=False)
    """log(1 + buyers) per row, divided by the highest: in [0, 1]."""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "row", {item.id: i for i, item in enumerate(self.items)})
        set_(self, "by_id", {item.id: item for item in self.items})
        set_(self, "by_sku", {item.sku: item for item in self.items})
        raw = np.array([self.signals.popularity(i.id) for i in self.items], dtype=np.float32)
        set_(self, "popularity", raw / raw.max() if len(raw) and raw.max() > 0 else raw)

    def vector(self, product_id: int) -> np.ndarray:
        return self.vectors[self.row[product_id]]

    def candidate_rows(self, query: np.ndarray | None, pool: int, extra: set[int]) -> np.ndarray:
        """Rows worth scoring: every row for exact search; otherwise the index's `pool` nearest,
        the most popular, and the `extra` product ids (co-purchases, say)."""
        if self.index is None or pool >= len(self.items):
            return np.arange(len(self.items))
        rows = {self.row[i] for i in extra if i in self.row}
        rows.update(top_k(self.popularity, POPULAR_POOL).tolist())
        if query is not None:
            ids, _ = self.index.search(query, pool)
            rows.update(self.row[int(i)] for i in ids if int(i) in self.row)
        return np.fromiter(sorted(rows), dtype=np.int64, count=len(rows))
