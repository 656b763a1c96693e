"""The recommender's parts on small in-code data: no model, no service."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from bot.config import SettingsError, load_settings
from bot.recommender.catalog import CatalogItem, Variant
from bot.recommender.filters import Filters, passes
from bot.recommender.history import OrderRecord, Purchase
from bot.recommender.index_store import IndexStore
from bot.recommender.ivf_index import IvfIndex
from bot.recommender.params import ParamError, search_params, shopper_params
from bot.recommender.profile import ConversationHints, build_profile
from bot.recommender.signals import store_signals
from bot.recommender.vector_search import exact_search

NOW = datetime(2026, 6, 1)


def item(
    pid: int,
    category: str = "running",
    brand: str = "Nike",
    price: float = 50.0,
    variants: tuple[Variant, ...] = (Variant("black", "42", 3),),
) -> CatalogItem:
    return CatalogItem(
        pid,
        f"SKU-{pid}",
        f"{brand} Item {pid}",
        category,
        brand,
        price,
        "A product.",
        ("light",),
        variants,
    )


def order(
    oid: int, customer: int, *products: int, returned: tuple[int, ...] = (), days_ago: int = 10
) -> OrderRecord:
    purchases = tuple(
        Purchase(p, "black", "42", 50.0, p in returned, "Too small" if p in returned else None)
        for p in products
    )
    return OrderRecord(oid, customer, NOW - timedelta(days=days_ago), purchases)


def clustered(n: int, dim: int = 32, clusters: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    vectors = centres[rng.integers(0, clusters, n)] + 0.5 * rng.normal(size=(n, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_filters_need_a_variant_in_stock_in_the_size_and_colour_asked_for() -> None:
    shoe = item(1, variants=(Variant("black", "42", 0), Variant("red", "42", 2)))
    assert passes(shoe, Filters(size="42"))
    assert not passes(shoe, Filters(size="42", colour="Black"))
    assert passes(shoe, Filters(size="42", colour="Black", in_stock=False))
    assert not passes(shoe, Filters(max_price=49.99))
    assert not passes(shoe, Filters(exclude=frozenset({1})))
    assert not passes(item(2, variants=(Variant("red", "42", 0),)), Filters())


def test_profile_weighs_orders_returns_and_what_the_shopper_says() -> None:
    catalog = {
        1: item(1, "running", "Nike"),
        2: item(2, "running", "Asics"),
        3: item(3, "hiking", "Salomon"),
    }
    orders = [order(1, 7, 1, 2), order(2, 7, 3, returned=(3,))]
    profile = build_profile(7, orders, catalog, now=NOW, hints=ConversationHints(brand="Asics"))
    assert profile.bought == {1, 2, 3} and profile.returned == {3}
    assert profile.categories["running"].score > 0 > profile.categories["hiking"].score
    assert profile.categories["hiking"].evidence == ["returned Salomon Item 3 (too small)"]
    assert "asked for Asics" in profile.brands["asics"].evidence
    assert (
        profile.affinity(catalog[2]) > profile.affinity(catalog[1]) > profile.affinity(catalog[3])
    )
    assert profile.budget == 50.0
    assert not build_profile(None, [], catalog, now=NOW).personal


def test_co_purchase_counts_orders_and_shoppers() -> None:
    signals = store_signals([order(1, 1, 10, 11), order(2, 1, 12), order(3, 2, 10, 11)])
    assert signals.orders_with(10, 11) == 2
    assert signals.buyers_of_both(10, 12) == 1 and signals.orders_with(10, 12) == 0
    assert signals.co_purchase(10, 11) > signals.co_purchase(10, 12) > 0
    assert signals.partners(12) == {10, 11}
    assert signals.buyers[10] == 2


def test_returned_items_do_not_count_as_popular() -> None:
    signals = store_signals([order(1, 1, 10, returned=(10,)), order(2, 2, 11)])
    assert signals.buyers[10] == 0 and signals.buyers[11] == 1


def test_ivf_index_finds_nearly_what_exact_search_finds() -> None:
    vectors = clustered(3000)
    ids = np.arange(3000) + 1000
    index = IvfIndex.build(ids, vectors, nprobe=12)
    noise = np.random.default_rng(1).normal(scale=0.02, size=(50, vectors.shape[1]))
    queries = (vectors[:50] + noise).astype(np.float32)
    recall = np.mean(
        [
            len(set(ids[exact_search(vectors, q, 10)[0]]) & set(index.search(q, 10)[0])) / 10
            for q in queries
        ]
    )
    assert recall >= 0.9


def test_ivf_index_updates_in_place_and_survives_a_save(tmp_path: Path) -> None:
    vectors = clustered(500)
    index = IvfIndex.build(np.arange(500), vectors)
    index.upsert(np.array([7]), vectors[100:101])  # product 7 now reads like product 100
    index.remove([100])
    found, scores = index.search(vectors[100], 1)
    assert found.tolist() == [7] and scores[0] == pytest.approx(1.0)
    assert len(index) == 499
    index.save(tmp_path)
    loaded = IvfIndex.load(tmp_path)
    assert len(loaded) == 499
    assert loaded.search(vectors[3], 5)[0].tolist() == index.search(vectors[3], 5)[0].tolist()


def test_index_store_applies_only_the_changes(tmp_path: Path) -> None:
    items = [item(i) for i in range(1, 301)]
    vectors = clustered(300)
    assert IndexStore(tmp_path).update(items, vectors).rebuilt
    # Product 1 left the catalog and product 300's text changed.
    changed = [*items[1:-1], item(300, brand="Asics")]
    update = IndexStore(tmp_path).update(changed, vectors[1:])
    assert (update.rebuilt, update.upserted, update.removed) == (False, 1, 1)
    store = IndexStore(tmp_path)
    assert store.index is not None and len(store.index) == 299


def test_search_parameters_become_filters() -> None:
    p = search_params(
        {
            "q": ["  rain  jacket "],
            "max_price": ["80"],
            "size": ["M"],
            "limit": ["5"],
            "customer_id": ["3"],
        }
    )
    assert (p.text, p.filters.max_price, p.filters.size, p.limit, p.customer_id) == (
        "rain jacket",
        80.0,
        "M",
        5,
        3,
    )
    assert p.filters.in_stock is True


def test_what_the_shopper_said_is_taste_and_filters() -> None:
    p = shopper_params({"category": ["running"], "budget": ["90"], "colour": ["blue"]})
    assert p.hints == ConversationHints(category="running", colour="blue", budget=90.0)
    assert p.filters.category is None  # a taste, not a filter
    assert (p.filters.max_price, p.filters.colour) == (90.0, "blue")


@pytest.mark.parametrize(
    "args",
    [
        {"q": ["a"], "limit": ["51"]},
        {"q": ["a"], "max_price": ["inf"]},
        {"q": ["a"], "x": ["1"]},
        {"q": ["a", "b"]},
        {"q": ["a"], "customer_id": ["0"]},
    ],
)
def test_bad_search_parameters_are_refused(args: dict[str, list[str]]) -> None:
    with pytest.raises(ParamError):
        search_params(args)


def test_recommender_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_URL", "http://recs.internal:9000")
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_ANN_ABOVE", "5000")
    settings = load_settings()
    assert settings.recommender_url == "http://recs.internal:9000"
    assert settings.recommender_ann_above == 5000
    assert settings.recommender_refresh_s == 60.0
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_ANN_ABOVE", "many")
    with pytest.raises(SettingsError, match="SHOPDESK_RECOMMENDER_ANN_ABOVE"):
        load_settings()
    monkeypatch.setenv("SHOPDESK_RECOMMENDER_ANN_ABOVE", "0")
    with pytest.raises(SettingsError, match="at least 1"):
        load_settings()
