"""A shopper's profile: affinities for categories, brands, colours and sizes, with evidence."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.recommender.history import OrderRecord
from bot.store.catalog import CatalogItem

HALF_LIFE_DAYS = 180.0
"""An order this old counts half as much as one placed today."""
RETURNED_WEIGHT = -0.5
"""A returned item takes back more than it gave: a bought-and-returned brand ends up below zero."""
STATED_WEIGHT = 3.0
"""What the shopper says now outweighs a few past orders."""
MAX_EVIDENCE = 3


@dataclass(frozen=True)
class ConversationHints:
    """What the shopper said in the conversation; any of it may be missing."""

    category: str | None = None
    brand: str | None = None
    colour: str | None = None
    size: str | None = None
    budget: float | None = None


@dataclass
class Affinity:
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)

    def add(self, weight: float, evidence: str) -> None:
        self.score += weight
        if evidence not in self.evidence:
            self.evidence.append(evidence)
            del self.evidence[:-MAX_EVIDENCE]


@dataclass
class ShopperProfile:
    customer_id: int | None
    bought: set[int] = field(default_factory=set)
    returned: set[int] = field(default_factory=set)
    kept_weights: dict[int, float] = field(default_factory=dict)
    """Items bought and kept, with the weight of their order's age: what the shopper likes."""
    categories: dict[str, Affinity] = field(default_factory=dict)
    brands: dict[str, Affinity] = field(default_factory=dict)
    colours: dict[str, Affinity] = field(default_factory=dict)
    sizes: dict[str, Affinity] = field(default_factory=dict)
    budget: float | None = None
    """The most the shopper pays for one item: what they said, or the most they kept."""

    @property
    def personal(self) -> bool:
        """Whether anything is known about this shopper beyond the request itself."""
        return bool(self.bought)

    def affinity(self, item: CatalogItem) -> float:
        """How well `item` fits the shopper's tastes and budget, in [0, 1]."""
        category = _share(self.categories, item.category)
        brand = _share(self.brands, item.brand)
        colour = max((_share(self.colours, v.colour) for v in item.variants), default=0.0)
        return 0.5 * category + 0.25 * brand + 0.1 * colour + 0.15 * self.price_fit(item.price)

    def price_fit(self, price: float) -> float:
        """1 up to a quarter above the budget, falling off beyond; 0 with no budget known."""
        if self.budget is None:
            return 0.0
        ceiling = self.budget * 1.25
        return 1.0 if price <= ceiling else (ceiling / price) ** 2

    def as_dict(self) -> dict[str, object]:
        def table(affinities: Mapping[str, Affinity]) -> list[dict[str, object]]:
            ranked = sorted(affinities.items(), key=lambda kv: -kv[1].score)
            return [
                {"value": k, "score": round(a.score, 3), "evidence": a.evidence} for k, a in ranked
            ]

        return {
            "customer_id": self.customer_id,
            "personal": self.personal,
            "categories": table(self.categories),
            "brands": table(self.brands),
            "colours": table(self.colours),
            "sizes": table(self.sizes),
            "budget": self.budget,
        }


def _share(affinities: Mapping[str, Affinity], key: str) -> float:
    """This key's positive score as a share of the strongest one."""
    top = max((a.score for a in affinities.values()), default=0.0)
    found = affinities.get(key.lower())
    if top <= 0 or found is None:
        return 0.0
    return max(0.0, found.score) / top


def _age_weight(created_at: datetime, now: datetime) -> float:
    days = max(0.0, (now - created_at).total_seconds() / 86400)
    return math.pow(0.5, days / HALF_LIFE_DAYS)


def build_profile(
    customer_id: int | None,
    orders: Iterable[OrderRecord],
    catalog: Mapping[int, CatalogItem],
    *,
    now: datetime,
    hints: ConversationHints | None = None,
) -> ShopperProfile:
    """The profile from a shopper's orders (oldest first) and what they say now."""
    profile = ShopperProfile(customer_id)
    kept_prices: list[float] = []
    for order in orders:
        age = _age_weight(order.created_at, now)
        for purchase in order.purchases:
            profile.bought.add(purchase.product_id)
            item = catalog.get(purchase.product_id)
            if item is None:  # no longer sold: nothing to learn about what we sell
                continue
            if purchase.returned:
                profile.returned.add(item.id)
                weight = RETURNED_WEIGHT * age
                why = f"returned {item.title}" + (
                    f" ({purchase.return_reason.lower()})" if purchase.return_reason else ""
                )
            else:
                profile.kept_weights[item.id] = profile.kept_weights.get(item.id, 0.0) + age
                kept_prices.append(purchase.unit_price)
                weight, why = age, f"bought {item.title}"
            _add(profile.categories, item.category, weight, why)
            _add(profile.brands, item.brand, weight, why)
            if purchase.colour:
                _add(profile.colours, purchase.colour, weight, why)
            if purchase.size and not purchase.returned:  # a return is often the wrong size
                _add(profile.sizes, purchase.size, weight, why)
    hints = hints or ConversationHints()
    for table, said in (
        (profile.categories, hints.category),
        (profile.brands, hints.brand),
        (profile.colours, hints.colour),
        (profile.sizes, hints.size),
    ):
        if said:
            _add(table, said, STATED_WEIGHT, f"asked for {said}")
    if hints.budget is not None:
        profile.budget = hints.budget
    elif kept_prices:
        profile.budget = max(kept_prices)
    return profile


def _add(table: dict[str, Affinity], key: str, weight: float, evidence: str) -> None:
    """Keys are lower case, so "Nike" said in the chat is the brand the catalog calls "Nike"."""
    table.setdefault(key.lower(), Affinity()).add(weight, evidence)
