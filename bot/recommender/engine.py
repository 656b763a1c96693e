"""The recommender: reads the store, keeps its snapshot fresh, and answers the four questions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy.orm import sessionmaker

from bot.recommender import ranking
from bot.recommender.embedding_cache import EmbeddingCache, SyncReport
from bot.recommender.encoder import TextEncoder
from bot.recommender.filters import Filters
from bot.recommender.history import customer_exists, load_orders
from bot.recommender.index_store import IndexStore, IndexUpdate
from bot.recommender.profile import ConversationHints, ShopperProfile, build_profile
from bot.recommender.ranking import Recommendation, Target
from bot.recommender.signals import store_signals
from bot.recommender.snapshot import Snapshot
from bot.store.catalog import CatalogItem, active_catalog
from bot.store.db import session_scope

logger = logging.getLogger(__name__)


class NotReady(RuntimeError):
    """The catalog has not been read yet."""


class UnknownProduct(LookupError):
    """No active product has this SKU."""


@dataclass(frozen=True)
class Answer:
    results: list[Recommendation]
    personal: bool
    """Whether the shopper's own history shaped the results."""


@dataclass(frozen=True)
class RefreshReport:
    products: int
    orders: int
    embeddings: SyncReport
    index: IndexUpdate | None
    at: datetime


class Recommender:
    def __init__(
        self,
        sessions: sessionmaker,
        encode: TextEncoder,
        *,
        folder: Path,
        model: str,
        ann_above: int,
        clock: Callable[[], datetime] = datetime.utcnow,
    ) -> None:
        self.sessions = sessions
        self.encode = encode
        self.cache = EmbeddingCache(folder, model)
        self.index_store = IndexStore(folder / "index")
        self.ann_above = ann_above
        self.clock = clock
        self._snapshot: Snapshot | None = None
        self.last_refresh: RefreshReport | None = None
        self.encoded_total = 0
        """Products encoded since the start: the whole catalog once, then only changes."""

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise NotReady("the catalog has not been read yet")
        return self._snapshot

    def refresh(self) -> RefreshReport:
        """Re-read catalog and orders; encode only new or changed products; swap the snapshot."""
        with session_scope(self.sessions) as session:
            items = active_catalog(session)
            orders = load_orders(session)
        vectors, synced = self.cache.sync(items, self.encode)
        self.encoded_total += synced.encoded
        index_update = None
        if len(items) > self.ann_above:
            index_update = self.index_store.update(items, vectors)
        index = self.index_store.index if index_update else None
        now = self.clock()
        self._snapshot = Snapshot(items, vectors, store_signals(orders), index, built_at=now)
        self.last_refresh = RefreshReport(len(items), len(orders), synced, index_update, now)
        if synced.encoded or synced.dropped:
            logger.info(
                "catalog refreshed: %d products, %d encoded, %d dropped",
                len(items),
                synced.encoded,
                synced.dropped,
            )
        return self.last_refresh

    def profile(self, customer_id: int, hints: ConversationHints | None = None) -> ShopperProfile:
        """The shopper's profile; an unknown shopper has only what they said."""
        snapshot = self.snapshot
        with session_scope(self.sessions) as session:
            known = customer_exists(session, customer_id=customer_id)
            orders = load_orders(session, customer_id=customer_id) if known else []
        return build_profile(
            customer_id if known else None,
            orders,
            snapshot.by_id,
            now=self.clock(),
            hints=hints or ConversationHints(),
        )

    def _item(self, sku: str) -> CatalogItem:
        item = self.snapshot.by_sku.get(sku)
        if item is None:
            raise UnknownProduct(sku)
        return item

    def _query_vector(self, text: str | None) -> np.ndarray | None:
        return self.encode([text])[0] if text else None

    @staticmethod
    def _excluding_history(filters: Filters, profile: ShopperProfile | None) -> Filters:
        if profile is None or not profile.bought:
            return filters
        return replace(filters, exclude=filters.exclude | frozenset(profile.bought))

    def search(self, *, text: str, filters: Filters, customer_id: int | None, limit: int) -> Answer:
        snapshot = self.snapshot
        profile = self.profile(customer_id) if customer_id is not None else None
        personal = profile is not None and profile.personal
        target = Target(
            vector=self._query_vector(text),
            text=text,
            anchors=profile.kept_weights if profile else {},
        )
        results = ranking.rank(
            snapshot,
            target=target,
            profile=profile,
            filters=self._excluding_history(filters, profile),
            weights=ranking.SEARCH,
            limit=limit,
        )
        return Answer(results, personal)

    def similar(self, *, sku: str, filters: Filters, customer_id: int | None, limit: int) -> Answer:
        snapshot = self.snapshot
        seed = self._item(sku)
        profile = self.profile(customer_id) if customer_id is not None else None
        filters = replace(filters, exclude=filters.exclude | {seed.id})
        target = Target(vector=snapshot.vector(seed.id), seed=seed, anchors={seed.id: 1.0})
        results = ranking.rank(
            snapshot,
            target=target,
            profile=profile,
            filters=self._excluding_history(filters, profile),
            weights=ranking.SIMILAR,
            limit=limit,
        )
        return Answer(results, profile is not None and profile.personal)

    def bought_together(self, *, sku: str, filters: Filters, limit: int) -> Answer:
        seed = self._item(sku)
        filters = replace(filters, exclude=filters.exclude | {seed.id})
        results = ranking.bought_together(self.snapshot, seed=seed, filters=filters, limit=limit)
        return Answer(results, personal=False)

    def for_shopper(
        self,
        *,
        customer_id: int,
        hints: ConversationHints,
        text: str | None,
        filters: Filters,
        limit: int,
    ) -> Answer:
        snapshot = self.snapshot
        profile = self.profile(customer_id, hints)
        vector = self._query_vector(text) if text else ranking.taste_vector(snapshot, profile)
        target = Target(vector=vector, text=text, anchors=profile.kept_weights)
        results = ranking.rank(
            snapshot,
            target=target,
            profile=profile,
            filters=self._excluding_history(filters, profile),
            weights=ranking.FOR_SHOPPER_ASKING if text else ranking.FOR_SHOPPER,
            limit=limit,
        )
        return Answer(results, profile.personal)
