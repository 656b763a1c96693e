"""Store-wide signals from every order: popularity and item-to-item co-purchase."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from bot.recommender.history import OrderRecord

EMPTY: Counter[int] = Counter()


@dataclass
class StoreSignals:
    """Who bought what, counted over all orders.

    `buyers[i]`: customers who bought item i and kept it. `together[i][j]`: orders holding both i
    and j. `also[i][j]`: customers who bought both i and j, in any orders.
    """

    buyers: Counter[int] = field(default_factory=Counter)
    together: defaultdict[int, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    also: defaultdict[int, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))

    def partners(self, item: int) -> set[int]:
        """Products bought in an order with `item`, or by a customer who bought it."""
        return set(self.together.get(item, ())) | set(self.also.get(item, ()))

    def orders_with(self, a: int, b: int) -> int:
        return self.together.get(a, EMPTY)[b]

    def buyers_of_both(self, a: int, b: int) -> int:
        return self.also.get(a, EMPTY)[b]

    def popularity(self, item: int) -> float:
        """log(1 + buyers), so a best-seller does not drown every other signal."""
        return math.log1p(self.buyers[item])

    def co_purchase(self, a: int, b: int) -> float:
        """How strongly a and b go together: shared buyers (an order together counts twice),
        normalised by how often each is bought (cosine), so best-sellers do not dominate."""
        shared = self.buyers_of_both(a, b) + self.orders_with(a, b)
        if not shared:
            return 0.0
        return shared / math.sqrt(max(1, self.buyers[a]) * max(1, self.buyers[b]))


def store_signals(orders: Iterable[OrderRecord]) -> StoreSignals:
    signals = StoreSignals()
    kept_by: defaultdict[int, set[int]] = defaultdict(set)
    for order in orders:
        items = sorted(order.product_ids)
        for a, b in combinations(items, 2):
            signals.together[a][b] += 1
            signals.together[b][a] += 1
        kept_by[order.customer_id].update(p.product_id for p in order.purchases if not p.returned)
    for kept in kept_by.values():
        signals.buyers.update(kept)
        for a, b in combinations(sorted(kept), 2):
            signals.also[a][b] += 1
            signals.also[b][a] += 1
    return signals
