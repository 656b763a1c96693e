"""Ranking: semantic match, co-purchase, profile affinity and popularity, under hard filters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from bot.recommender import reasons
from bot.recommender.filters import Filters, available_variants, passes
from bot.recommender.profile import ShopperProfile
from bot.recommender.snapshot import Snapshot
from bot.recommender.vector_search import top_k
from bot.store.catalog import CatalogItem, Variant

MIN_POOL = 200
POOL_PER_RESULT = 20
MAX_REASONS = 2


@dataclass(frozen=True)
class Weights:
    """How much each signal counts; each signal is scaled to [0, 1] over the candidates first."""

    semantic: float = 0.0
    co_purchase: float = 0.0
    affinity: float = 0.0
    popularity: float = 0.0
    same_kind: float = 0.0
    """For items like a seed product: being the same kind of product ("jacket") as the seed."""


SEARCH = Weights(semantic=0.65, co_purchase=0.1, affinity=0.15, popularity=0.1)
SIMILAR = Weights(semantic=0.45, co_purchase=0.2, affinity=0.05, popularity=0.05, same_kind=0.25)
"""More like a rain jacket is other rain jackets first, not the same brand's boots."""
FOR_SHOPPER = Weights(semantic=0.45, co_purchase=0.1, affinity=0.42, popularity=0.03)
"""Chosen on development stores (`python -m bench.recommender_benchmark tune`): there, taste
(semantic + affinity) carries the signal; popularity only breaks ties and serves new shoppers."""
FOR_SHOPPER_ASKING = Weights(semantic=0.45, co_purchase=0.1, affinity=0.3, popularity=0.15)
"""For a shopper who also said what they are looking for."""


@dataclass(frozen=True)
class Target:
    """What the results are ranked against; every part is optional."""

    vector: np.ndarray | None = None
    """Unit vector of the request text, the product asked about, or the shopper's taste."""
    text: str | None = None
    seed: CatalogItem | None = None
    """The product the results should resemble or go with."""
    anchors: Mapping[int, float] = field(default_factory=dict)
    """Products whose co-purchases count, with their weight: the seed, or what the shopper kept."""


@dataclass(frozen=True)
class Recommendation:
    item: CatalogItem
    score: float
    reasons: list[str]
    available: list[Variant]


def taste_vector(snapshot: Snapshot, profile: ShopperProfile) -> np.ndarray | None:
    """The shopper's taste: the age-weighted mean of what they bought and kept, unit length."""
    kept = [(snapshot.row[i], w) for i, w in profile.kept_weights.items() if i in snapshot.row]
    if not kept:
        return None
    rows, weights = zip(*kept, strict=True)
    mean = np.asarray(weights, dtype=np.float32) @ snapshot.vectors[list(rows)]
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def co_purchases(snapshot: Snapshot, anchors: Mapping[int, float]) -> dict[int, tuple[float, int]]:
    """Each product bought with an anchor: summed strength, and the anchor that gave the most."""
    total: defaultdict[int, float] = defaultdict(float)
    best: dict[int, tuple[float, int]] = {}
    signals = snapshot.signals
    for anchor, weight in anchors.items():
        for other in signals.partners(anchor):
            strength = weight * signals.co_purchase(anchor, other)
            total[other] += strength
            if strength > best.get(other, (0.0, 0))[0]:
                best[other] = (strength, anchor)
    return {other: (value, best[other][1]) for other, value in total.items() if value > 0}


def _scaled(values: np.ndarray) -> np.ndarray:
    """Min-max scaling to [0, 1]; all zeros when the values do not differ."""
    if not len(values):
        return values
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high - low > 1e-9 else np.zeros_like(values)


def _survivors(
    snapshot: Snapshot, target: Target, filters: Filters, extra: set[int], limit: int
) -> list[int]:
    """Candidate rows that pass the filters, widening an approximate search until enough do."""
    pool = max(MIN_POOL, POOL_PER_RESULT * limit)
    while True:
        rows = snapshot.candidate_rows(target.vector, pool, extra)
        kept = [int(r) for r in rows if passes(snapshot.items[r], filters)]
        if len(kept) >= limit or len(rows) >= len(snapshot.items):
            return kept
        pool *= 4


def rank(
    snapshot: Snapshot,
    *,
    target: Target,
    profile: ShopperProfile | None,
    filters: Filters,
    weights: Weights,
    limit: int,
) -> list[Recommendation]:
    co = co_purchases(snapshot, target.anchors) if weights.co_purchase else {}
    rows = _survivors(snapshot, target, filters, set(co), limit)
    if not rows:
        return []
    items = [snapshot.items[r] for r in rows]
    zeros = np.zeros(len(rows), dtype=np.float32)
    semantic = (
        _scaled(snapshot.vectors[rows] @ target.vector) if target.vector is not None else zeros
    )
    co_values = np.array([co.get(i.id, (0.0, 0))[0] for i in items], dtype=np.float32)
    co_scaled = co_values / co_values.max() if co_values.max() > 0 else zeros
    affinity = (
        np.array([profile.affinity(i) for i in items], dtype=np.float32)
        if profile is not None and weights.affinity
        else zeros
    )
    seed = target.seed
    same_kind = (
        np.array([i.kind == seed.kind for i in items], dtype=np.float32)
        if seed is not None and weights.same_kind
        else zeros
    )
    parts = {
        "same_kind": weights.same_kind * same_kind,
        "semantic": weights.semantic * semantic,
        "co_purchase": weights.co_purchase * co_scaled,
        "affinity": weights.affinity * affinity,
        "popularity": weights.popularity * snapshot.popularity[rows],
    }
    score = sum(parts.values(), zeros)
    chosen = top_k(score, limit)
    results = []
    for pos in chosen.tolist():
        item = items[pos]
        contributions = {name: float(part[pos]) for name, part in parts.items()}
        because = co.get(item.id, (0.0, 0))[1]
        available = available_variants(item, filters)
        why = _reasons(snapshot, item, contributions, target, profile, because, available)
        results.append(Recommendation(item, round(float(score[pos]), 4), why, available))
    return results


def _reasons(
    snapshot: Snapshot,
    item: CatalogItem,
    contributions: dict[str, float],
    target: Target,
    profile: ShopperProfile | None,
    because: int,
    available: list[Variant],
) -> list[str]:
    """Reasons from the signals that gave the most to this item's score, strongest first."""
    found: list[str] = []
    for name, value in sorted(contributions.items(), key=lambda kv: -kv[1]):
        if value <= 0 or name == "same_kind":  # "similar to …" says it
            continue
        if name == "semantic":
            text = reasons.semantic_reason(
                item, snapshot=snapshot, text=target.text, seed=target.seed, profile=profile
            )
        elif name == "co_purchase":
            text = reasons.co_purchase_reason(item, snapshot.by_id[because], snapshot)
        elif name == "affinity":
            text = reasons.affinity_reason(item, profile) if profile else None
        else:
            text = reasons.popularity_reason(item, snapshot)
        if text:
            found.append(text)
    found = found[:MAX_REASONS]
    size = reasons.size_reason(item, available, profile)
    if size:
        found.append(size)
    return found or [f"in {item.category}"]


def bought_together(
    snapshot: Snapshot, *, seed: CatalogItem, filters: Filters, limit: int
) -> list[Recommendation]:
    """Products in the same orders as `seed`; then those its buyers bought in other orders."""
    signals = snapshot.signals
    candidates = [
        snapshot.by_id[i]
        for i in signals.partners(seed.id)
        if i in snapshot.by_id and passes(snapshot.by_id[i], filters)
    ]
    seed_vector = snapshot.vector(seed.id)

    def key(item: CatalogItem) -> tuple[int, int, float]:
        similarity = float(snapshot.vector(item.id) @ seed_vector)
        return (
            signals.orders_with(seed.id, item.id),
            signals.buyers_of_both(seed.id, item.id),
            similarity,
        )

    results = []
    for item in sorted(candidates, key=key, reverse=True)[:limit]:
        why = reasons.co_purchase_reason(item, seed, snapshot)
        score = signals.orders_with(seed.id, item.id) + 0.5 * signals.buyers_of_both(
            seed.id, item.id
        )
        results.append(Recommendation(item, float(score), [why], available_variants(item, filters)))
    return results
