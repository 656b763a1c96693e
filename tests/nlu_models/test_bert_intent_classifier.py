"""BertIntentClassifier tested like Rasa's own components: train → process → persist → load."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import torch
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_models.bert_intent_classifier import BertIntentClassifier
from nlu_models.encoder import load_tokenizer, packaged_base_model
from nlu_models.fine_tuning import FineTuned, FineTuneSettings, fine_tune

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hey", "hello, anyone there?", "hiya"],
    "order_status": [
        "where is my order",
        "track my package",
        "has my parcel shipped",
        "when will my order arrive",
        "order status please",
        "where's my delivery",
    ],
    "return_item": [
        "I want to return these shoes",
        "send back a jacket",
        "return my order",
        "how do I return an item",
        "the shirt doesn't fit, I want a refund",
        "start a return",
    ],
    "thank": ["thanks", "thank you so much", "cheers", "thanks a lot", "many thanks", "thank you"],
}
TINY = {
    "epochs": 4,
    "batch_size": 8,
    "max_length": 16,
    "validation_fraction": 0.17,
    "early_stopping_patience": 4,
    "show_progress": False,
    "quantize": False,
    "ranking_length": 0,
}


def training_data() -> TrainingData:
    return TrainingData(
        [
            Message(data={"text": text, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )


def messages(*texts: str) -> list[Message]:
    return [Message(data={"text": text}) for text in texts]


def train(
    path: Path, **config: object
) -> tuple[BertIntentClassifier, LocalModelStorage, Resource, ExecutionContext]:
    storage = LocalModelStorage(path)
    resource = Resource("bert_intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    component = BertIntentClassifier.create({**TINY, **config}, storage, resource, context)
    component.train(training_data())
    return component, storage, resource, context


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return train(tmp_path_factory.mktemp("storage"))


def probabilities(component: BertIntentClassifier, texts: list[str]) -> torch.Tensor:
    return component.predict(texts)


def test_ranking_is_sorted_probabilities(trained):  # type: ignore[no-untyped-def]
    component = trained[0]
    [message] = component.process(messages("where is my parcel?"))
    ranking = message.get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-4)
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert message.get("intent") == ranking[0]


def test_it_learns_the_training_intents(trained):  # type: ignore[no-untyped-def]
    component = trained[0]
    texts = [t for ts in EXAMPLES.values() for t in ts]
    gold = [i for i, ts in EXAMPLES.items() for _ in ts]
    predicted = [m.get("intent")["name"] for m in component.process(messages(*texts))]
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    assert accuracy >= 0.75


def test_persist_and_load_give_identical_predictions(trained):  # type: ignore[no-untyped-def]
    component, storage, resource, context = trained
    loaded = BertIntentClassifier.load({**TINY}, storage, resource, context)
    texts = ["hello!", "where is my order 100234", "I need to send these back"]
    assert torch.allclose(probabilities(component, texts), probabilities(loaded, texts), atol=1e-6)
    assert loaded.labels == component.labels
    assert loaded.temperature == component.temperature


def test_only_safetensors_and_json_are_persisted(trained):  # type: ignore[no-untyped-def]
    _, storage, resource, _ = trained
    with storage.read_from(resource) as directory:
        suffixes = {p.suffix for p in directory.rglob("*") if p.is_file()}
    assert suffixes <= {".json", ".safetensors", ".txt"}


def test_empty_and_huge_messages(trained):  # type: ignore[no-untyped-def]
    component = trained[0]
    empty, blank, huge = component.process(messages("", "   ", "where is my order " * 2000))
    assert empty.get("intent") == {"name": None, "confidence": 0.0}
    assert blank.get("intent_ranking") == []
    assert huge.get("intent")["name"] in EXAMPLES


def test_same_data_and_seed_give_the_same_model(trained, tmp_path: Path):  # type: ignore[no-untyped-def]
    again = train(tmp_path)[0]
    texts = ["hi", "track it", "refund please", "thanks!"]
    assert torch.allclose(probabilities(trained[0], texts), probabilities(again, texts), atol=1e-5)


@pytest.mark.parametrize("tolerance", [None, 1.0])
def test_quantized_inference_is_kept_only_if_accuracy_holds(
    tmp_path: Path, tolerance: float | None
):
    given = {} if tolerance is None else {"quantize_tolerance": tolerance}
    _component, storage, resource, context = train(tmp_path, quantize=True, epochs=2, **given)
    with storage.read_from(resource) as directory:
        meta = json.loads((directory / "classifier.json").read_text())
    quantized, accuracy = meta["quantized"], meta["validation_accuracy"]
    limit = {**BertIntentClassifier.get_default_config(), **given}["quantize_tolerance"]
    assert quantized == (accuracy["int8"] >= accuracy["float"] - limit)
    assert quantized or tolerance is None  # int8 can lose no more than all of the accuracy
    loaded = BertIntentClassifier.load({**TINY}, storage, resource, context)
    is_int8 = any("quantized" in type(m).__module__ for m in loaded.model.modules())
    assert is_int8 == quantized
    [message] = loaded.process(messages("hello"))
    assert message.get("intent")["name"] in EXAMPLES


def test_loading_without_a_trained_model_degrades_gracefully(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    component = BertIntentClassifier.load(
        {}, storage, Resource("missing"), ExecutionContext(GraphSchema({}), "test")
    )
    [message] = component.process(messages("hello"))
    assert message.get("intent") is None


def test_fingerprint_follows_the_training_code_and_base_model(tmp_path: Path):
    packaged = BertIntentClassifier.fingerprint_addon({})
    assert packaged == BertIntentClassifier.fingerprint_addon({"epochs": 3})
    other = tmp_path / "other-model"
    other.mkdir()
    (other / "config.json").write_text('{"hidden_size": 8}')
    (other / "model.safetensors").write_bytes(b"x" * 10)
    assert BertIntentClassifier.fingerprint_addon({"base_model": str(other)}) != packaged


NAMES = sorted(EXAMPLES)


def fine_tune_examples(epochs: int, **options: Any) -> FineTuned:
    """`fine_tune` called directly on EXAMPLES with the tiny settings."""
    config = {**BertIntentClassifier.get_default_config(), **TINY, "epochs": epochs}
    return fine_tune(
        [t for ts in EXAMPLES.values() for t in ts],
        [NAMES.index(i) for i, ts in EXAMPLES.items() for _ in ts],
        NAMES,
        base_model=packaged_base_model(),
        tokenizer=load_tokenizer(packaged_base_model()),
        settings=FineTuneSettings(**{f.name: config[f.name] for f in fields(FineTuneSettings)}),
        **options,
    )


def test_fine_tuning_reports_every_epoch_to_a_callback():
    seen: list[tuple[int, bool]] = []
    fine_tune_examples(2, on_epoch=lambda epoch, model: seen.append((epoch, model.training)))
    assert seen == [(1, False), (2, False)]


VALIDATION_YAML = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello there
    - morning!
- intent: order_status
  examples: |
    - where is my parcel
- intent: cancel_order
  examples: |
    - cancel it
"""


def test_a_validation_file_is_the_validation_set(tmp_path: Path, caplog):  # type: ignore[no-untyped-def]
    path = tmp_path / "validation.yml"
    path.write_text(VALIDATION_YAML)
    component = BertIntentClassifier.create(
        {**TINY, "validation_file": str(path)},
        LocalModelStorage(tmp_path),
        Resource("bert_intent_classifier"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    assert component._validation(set(EXAMPLES)) == [
        ("hello there", "greet"),
        ("morning!", "greet"),
        ("where is my parcel", "order_status"),
    ]
    assert "cancel_order" in caplog.text  # never trained on, so it cannot be validated
    component.train(training_data())
    [message] = component.process(messages("where is my order"))
    assert message.get("intent")["name"] == "order_status"


def test_fine_tuning_validates_on_the_given_examples():
    labels = [NAMES.index("greet"), NAMES.index("thank")]
    tuned = fine_tune_examples(1, validation=(["hey you", "thanks mate"], labels))
    assert tuned.validation_texts == ["hey you", "thanks mate"]
    assert tuned.validation_labels == labels


def test_a_changed_validation_file_retrains(tmp_path: Path):
    path = tmp_path / "validation.yml"
    path.write_text(VALIDATION_YAML)
    first = BertIntentClassifier.fingerprint_addon({"validation_file": str(path)})
    assert first != BertIntentClassifier.fingerprint_addon({})
    path.write_text(VALIDATION_YAML.replace("morning!", "good evening"))
    assert BertIntentClassifier.fingerprint_addon({"validation_file": str(path)}) != first


def test_a_missing_validation_file_is_named(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no validation file"):
        train(tmp_path, validation_file=str(tmp_path / "nowhere.yml"))
