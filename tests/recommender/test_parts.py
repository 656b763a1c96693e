"""The recommender's parts on small in-code data: no model, no service."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from bot.config import SettingsError, load_settings
from bot.recommender.faiss_index import FaissIndex
from bot.recommender.filters import Filters, passes
from bot.recommender.history import OrderRecord, Purchase
from bot.recommender.index_store import IndexStore
from bot.recommender.params import ParamError, search_params, shopper_params
from bot.recommender.profile import ConversationHints, build_profile
from bot.recommender.signals import store_signals
from bot.recommender.vector_search import exact_search
from bot.store.catalog import CatalogItem, Variant

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


def recall_at_10(
    index: FaissIndex, ids: np.ndarray, vectors: np.ndarray, nprobe: int | None = None
) -> float:
    """Share of exact search's ten nearest that the index finds, over 50 queries near the data."""
    noise = np.random.default_rng(1).normal(scale=0.02, size=(50, vectors.shape[1]))
    overlaps = []
    for query in (vectors[:50] + noise).astype(np.float32):
        exact = set(ids[exact_search(vectors, query, 10)[0]].tolist())
        overlaps.append(len(exact & set(index.search(query, 10, nprobe)[0].tolist())) / 10)
    return float(np.mean(overlaps))


def test_faiss_index_finds_nearly_what_exact_search_finds() -> None:
    vectors = clustered(3000)
    ids = np.arange(3000) + 1000
    index = FaissIndex.build(ids, vectors, nprobe=12)
    assert 12 < index.cells < 3000
    assert recall_at_10(index, ids, vectors) >= 0.9
    assert recall_at_10(index, ids, vectors, nprobe=index.cells) == 1.0  # every cell: exact
    assert recall_at_10(index, ids, vectors, nprobe=1) < 1.0


def test_faiss_index_updates_in_place_and_survives_a_save(tmp_path: Path) -> None:
    vectors = clustered(500)
    index = FaissIndex.build(np.arange(500), vectors)
    index.upsert(np.array([7]), vectors[100:101])  # product 7 now reads like product 100
    index.remove([100])
    found, scores = index.search(vectors[100], 1)
    assert found.tolist() == [7] and scores[0] == pytest.approx(1.0)
    assert len(index) == 499
    index.save(tmp_path)
    loaded = FaissIndex.load(tmp_path)
    assert (len(loaded), loaded.nprobe, loaded.trained_size) == (499, index.nprobe, 500)
    assert loaded.search(vectors[3], 5)[0].tolist() == index.search(vectors[3], 5)[0].tolist()
    loaded.upsert(np.array([7]), vectors[7:8])  # ids still map to their place after a load
    assert len(loaded) == 499
    assert loaded.search(vectors[7], 1)[0].tolist() == [7]
    _, scores = loaded.search(vectors[100], 1, nprobe=loaded.cells)
    assert scores[0] < 0.99  # neither 100 nor 7's old vector is left


def test_faiss_index_never_returns_removed_ids() -> None:
    vectors = clustered(2000)
    index = FaissIndex.build(np.arange(2000), vectors)
    gone = np.random.default_rng(2).choice(2000, 500, replace=False)
    index.remove([*gone.tolist(), 5000])  # an id never added is skipped
    assert len(index) == 1500
    for query in vectors[gone[:20]]:
        found, _ = index.search(query, 2000, nprobe=index.cells)
        assert len(found) == 1500 and not set(found.tolist()) & set(gone.tolist())


def test_faiss_index_goes_stale_when_the_catalog_outgrows_its_training() -> None:
    vectors = clustered(1000)
    index = FaissIndex.build(np.arange(200), vectors[:200])
    index.upsert(np.arange(200, 800), vectors[200:800])
    assert not index.stale
    index.upsert(np.arange(800, 1000), vectors[800:])
    assert index.stale


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
    assert 1 not in store.index.search(vectors[0], 299, nprobe=store.index.cells)[0].tolist()


def test_index_store_retrains_a_stale_index(tmp_path: Path) -> None:
    vectors = clustered(1300)
    IndexStore(tmp_path).update([item(i) for i in range(1, 301)], vectors[:300])
    grown = [item(i) for i in range(1, 1301)]
    update = IndexStore(tmp_path).update(grown, vectors)
    assert (update.rebuilt, update.upserted) == (False, 1000)
    store = IndexStore(tmp_path)
    assert store.index is not None and store.index.stale
    assert store.update(grown, vectors).rebuilt
    assert not store.index.stale and store.index.trained_size == 1300
    reloaded = IndexStore(tmp_path).index
    assert reloaded is not None and (len(reloaded), reloaded.trained_size) == (1300, 1300)


def test_index_store_rebuilds_an_unreadable_index(tmp_path: Path) -> None:
    items, vectors = [item(i) for i in range(1, 301)], clustered(300)
    IndexStore(tmp_path).update(items, vectors)
    (tmp_path / "index.faiss").write_bytes(b"not an index")
    store = IndexStore(tmp_path)
    assert store.index is None
    assert store.update(items, vectors).rebuilt
    reloaded = IndexStore(tmp_path).index
    assert reloaded is not None and len(reloaded) == 300


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
