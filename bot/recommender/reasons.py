"""Short, true reasons for a recommendation, from the signal that put it where it is."""

from __future__ import annotations

import numpy as np

from bot.recommender.profile import ShopperProfile
from bot.recommender.snapshot import Snapshot
from bot.store.catalog import CatalogItem, Variant
from bot.store.products import search_words

MAX_QUOTE = 40


def matched_words(text: str, item: CatalogItem) -> list[str]:
    """The words of the request that the product's own text contains."""
    haystack = item.text.lower()
    return [w for w in dict.fromkeys(search_words(text)) if w in haystack]


def semantic_reason(
    item: CatalogItem,
    *,
    snapshot: Snapshot,
    text: str | None,
    seed: CatalogItem | None,
    profile: ShopperProfile | None,
) -> str | None:
    if text:
        words = matched_words(text, item)
        if words:
            return "matches " + ", ".join(f"'{w}'" for w in words[:3])
        quote = text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"
        return f"close to '{quote}'"
    if seed is not None:
        return f"similar to {seed.title}"
    if profile is not None and profile.kept_weights:
        kept = [i for i in profile.kept_weights if i in snapshot.row]
        if kept:
            sims = snapshot.vectors[[snapshot.row[i] for i in kept]] @ snapshot.vector(item.id)
            nearest = snapshot.by_id[kept[int(np.argmax(sims))]]
            return f"like your {nearest.title}"
    return None


def co_purchase_reason(item: CatalogItem, because: CatalogItem, snapshot: Snapshot) -> str:
    """How `item` goes with `because`, a product the shopper bought or asked about, counted."""
    orders = snapshot.signals.orders_with(because.id, item.id)
    if orders:
        return f"bought with {because.title} in {_count(orders, 'order')}"
    buyers = snapshot.signals.buyers_of_both(because.id, item.id)
    return f"{_count(buyers, 'shopper')} who bought {because.title} bought it too"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def affinity_reason(item: CatalogItem, profile: ShopperProfile) -> str | None:
    """The taste this item fits best: what the shopper asked for first, then what they buy."""
    category = profile.categories.get(item.category.lower())
    brand = profile.brands.get(item.brand.lower())
    for affinity, value in ((category, item.category), (brand, item.brand)):
        if affinity and any(e.startswith("asked for") for e in affinity.evidence):
            return f"you asked for {value}"
    # A tolerance: a brand bought in exactly half the orders must not flip with rounding noise.
    if brand and brand.score > 0 and (category is None or brand.score >= category.score / 2 - 1e-9):
        return f"you often buy {item.brand}"
    if category and category.score > 0:
        return f"you often shop in {item.category}"
    return None


def popularity_reason(item: CatalogItem, snapshot: Snapshot) -> str | None:
    buyers = snapshot.signals.buyers[item.id]
    if not buyers:
        return None
    return f"popular: {_count(buyers, 'shopper')} bought it"


def size_reason(
    item: CatalogItem, available: list[Variant], profile: ShopperProfile | None
) -> str | None:
    """'in your size' when the shopper's usual size is on offer (and there is more than one)."""
    if profile is None or not profile.sizes or len({v.size for v in item.variants}) < 2:
        return None
    usual = max(profile.sizes.items(), key=lambda kv: kv[1].score)[0]
    found = next((v for v in available if v.size.lower() == usual), None)
    return f"in your size {found.size}" if found else None
