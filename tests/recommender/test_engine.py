"""The engine in-process on the seeded store with the real model: cache and approximate index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.recommender.encoder import TextEncoder, model_id
from bot.recommender.engine import Recommender
from bot.recommender.filters import Filters
from bot.store.db import session_scope
from bot.store.models import Product

pytestmark = pytest.mark.slow


class CountingEncoder:
    """The real encoder, counting the texts it is given."""

    def __init__(self, encode: TextEncoder) -> None:
        self.encode = encode
        self.texts = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.encode(texts)


def make(store: sessionmaker, encode: TextEncoder, folder: Path, ann_above: int) -> Recommender:
    return Recommender(store, encode, folder=folder, model=model_id(), ann_above=ann_above)


def test_only_new_or_changed_products_are_encoded(
    store_copy: sessionmaker, encoder: TextEncoder, tmp_path: Path
) -> None:
    counting = CountingEncoder(encoder)
    first = make(store_copy, counting, tmp_path / "vectors", ann_above=10_000).refresh()
    assert counting.texts == first.products == 341
    with session_scope(store_copy) as session:
        session.execute(select(Product).where(Product.sku == "CAM-0700")).scalar_one().brand = "X"
    restarted = make(store_copy, counting, tmp_path / "vectors", ann_above=10_000)
    report = restarted.refresh()  # a new process: the vectors come from disk
    assert (report.embeddings.encoded, report.embeddings.reused) == (1, 340)
    assert counting.texts == 342


def test_the_approximate_index_keeps_filters_and_follows_changes(
    store_copy: sessionmaker, encoder: TextEncoder, tmp_path: Path
) -> None:
    engine = make(store_copy, encoder, tmp_path / "vectors", ann_above=100)
    assert engine.refresh().index is not None
    assert engine.snapshot.index is not None
    filters = Filters(max_price=60, size="M")
    answer = engine.search(text="rain jacket", filters=filters, customer_id=3, limit=10)
    assert answer.results
    for found in answer.results:
        assert found.item.price <= 60
        assert any(v.size == "M" and v.stock > 0 for v in found.item.variants)
    with session_scope(store_copy) as session:
        tent = session.execute(select(Product).where(Product.sku == "CAM-0700")).scalar_one()
        tent.title = "Riverside Inflatable Kayak"
    update = engine.refresh().index
    assert update is not None and (update.rebuilt, update.upserted) == (False, 1)
    top = engine.search(
        text="inflatable kayak", filters=Filters(in_stock=False), customer_id=None, limit=1
    )
    assert top.results[0].item.sku == "CAM-0700"
