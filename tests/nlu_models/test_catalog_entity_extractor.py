"""CatalogEntityExtractor tested like Rasa's own components: train → process → persist → load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.store.models import Product
from nlu_models.catalog_entity_extractor import (
    CatalogEntityExtractor,
    catalog_terms,
    demo_catalog,
    load_catalog,
)

CONTEXT = ExecutionContext(GraphSchema({}), "test")
RESOURCE = Resource("catalog_entities")


def train(tmp_path: Path, config: dict[str, Any] | None = None) -> CatalogEntityExtractor:
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    component = CatalogEntityExtractor.create(config or {}, storage, RESOURCE, CONTEXT)
    component.train(TrainingData())
    return component


def entities(component: CatalogEntityExtractor, text: str, **data: Any) -> list[dict]:
    [message] = component.process([Message.build(text=text, **data)])
    return list(message.get("entities", []))


def by_type(found: list[dict]) -> dict[str, dict]:
    return {e["entity"]: e for e in found}


def ids(store: sessionmaker, *condition: Any) -> set[int]:
    with store() as session:
        return set(session.scalars(select(Product.id).where(Product.active, *condition)))


def test_typos_map_to_the_right_catalog_ids(store: sessionmaker, tmp_path: Path) -> None:
    text = "adiddas hoddie in blue size M"
    found = by_type(entities(train(tmp_path), text))
    assert set(found) == {"brand", "product", "colour", "size"}
    assert {e["extractor"] for e in found.values()} == {"CatalogEntityExtractor"}
    assert [text[e["start"] : e["end"]] for e in found.values()] == [
        "adiddas",
        "hoddie",
        "blue",
        "M",
    ]
    assert (found["brand"]["value"], found["product"]["value"]) == ("Adidas", "hoodie")
    assert set(found["brand"]["catalog_ids"]) == ids(store, Product.brand == "Adidas")
    assert set(found["product"]["catalog_ids"]) == ids(store, Product.title.like("% Hoodie"))
    assert 0.8 <= found["product"]["confidence_entity"] < 1.0
    assert (found["colour"]["value"], found["size"]["value"]) == ("blue", "M")
    assert found["colour"]["catalog_ids"] == found["size"]["catalog_ids"] == []
    assert found["colour"]["confidence_entity"] == found["size"]["confidence_entity"] == 1.0


def test_exact_terms_use_the_catalog_spelling(store: sessionmaker, tmp_path: Path) -> None:
    with store() as session:
        product_id, title = session.execute(
            select(Product.id, Product.title).order_by(Product.id).limit(1)
        ).one()
    component = train(tmp_path)
    found = entities(component, f"is the {title.upper()} any good")
    assert [(e["entity"], e["value"], e["catalog_ids"]) for e in found] == [
        ("product", title, [product_id])
    ]
    found = by_type(entities(component, "any THE NORTH FACE tents for camping?"))
    assert found["brand"]["value"] == "The North Face"
    assert found["product"]["value"] == "tent"
    assert set(found["category"]["catalog_ids"]) == ids(store, Product.category == "camping")
    assert all(e["confidence_entity"] == 1.0 for e in found.values() if e["entity"] != "product")


def test_a_plural_typo_is_matched_through_its_singular(store: sessionmaker, tmp_path: Path) -> None:
    found = by_type(entities(train(tmp_path), "do you have any adiddas hoddies?"))
    assert (found["brand"]["value"], found["product"]["value"]) == ("Adidas", "hoodie")


def test_sizes_said_as_words_become_the_catalogs_letter_sizes(
    store: sessionmaker, tmp_path: Path
) -> None:
    component = train(tmp_path)
    for said, size in (("I'd take a medium", "M"), ("extra large please", "XL"), ("small", "S")):
        found = entities(component, said)
        assert [(e["entity"], e["value"]) for e in found] == [("size", size)], said


def test_nothing_matches_in_a_message_without_catalog_words(
    store: sessionmaker, tmp_path: Path
) -> None:
    component = train(tmp_path)
    assert entities(component, "where is my order") == []
    assert entities(component, "it shows 2 items, track my order 102345") == []


def test_persist_and_load_give_identical_entities(store: sessionmaker, tmp_path: Path) -> None:
    component = train(tmp_path)
    loaded = CatalogEntityExtractor.load({}, component._model_storage, RESOURCE, CONTEXT)
    for text in ("adiddas hoddie in blue size M", "Nike runing shoes size 42", "hi"):
        assert entities(loaded, text) == entities(component, text)
    with component._model_storage.read_from(RESOURCE) as directory:
        assert [p.suffix for p in directory.rglob("*") if p.is_file()] == [".json"]


def test_overlapping_entities_of_its_types_are_replaced_others_kept(
    store: sessionmaker, tmp_path: Path
) -> None:
    text = "return the blue hoodie from order 102345"
    diet = [
        {"entity": "product", "value": "blue hoodie", "start": 11, "end": 22, "extractor": "DIET"},
        {"entity": "order_number", "value": "102345", "start": 34, "end": 40, "extractor": "DIET"},
    ]
    found = entities(train(tmp_path), text, entities=diet)
    assert [(e["entity"], e["value"], e["extractor"]) for e in found] == [
        ("colour", "blue", "CatalogEntityExtractor"),
        ("product", "hoodie", "CatalogEntityExtractor"),
        ("order_number", "102345", "DIET"),
    ]


def test_configured_entity_types_limit_what_it_finds(store: sessionmaker, tmp_path: Path) -> None:
    component = train(tmp_path, {"entity_types": ["brand"]})
    assert [e["entity"] for e in entities(component, "nike hoodie in blue")] == ["brand"]


def test_a_catalog_change_changes_the_fingerprint(store: sessionmaker) -> None:
    before = CatalogEntityExtractor.fingerprint_addon({})
    assert CatalogEntityExtractor.fingerprint_addon({}) == before
    with store.begin() as session:
        session.execute(update(Product).where(Product.id == 1).values(brand="Zephyr"))
    assert CatalogEntityExtractor.fingerprint_addon({}) != before


def test_an_unreachable_store_falls_back_to_the_demo_catalog(
    store: sessionmaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = catalog_terms(load_catalog())
    monkeypatch.setenv("SHOPDESK_DB_URL", f"sqlite:///{tmp_path / 'missing' / 'store.db'}")
    get_settings.cache_clear()
    assert catalog_terms(load_catalog()) == catalog_terms(demo_catalog()) == seeded
    assert not (tmp_path / "missing").exists()


def test_an_untrained_component_leaves_messages_alone(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    component = CatalogEntityExtractor.load({}, storage, RESOURCE, CONTEXT)
    assert entities(component, "adidas hoodie") == []
