"""SentimentAnalyzer tested like Rasa's own components: train → process → persist → load."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import PROJECT_ROOT
from nlu_models.sentiment_analyzer import LABELS, SentimentAnalyzer, read_labelled

ROWS = {
    "negative": [
        "this is terrible, my parcel is lost",
        "worst service ever",
        "the zip broke after two days, I'm annoyed",
        "useless, nobody answers",
        "I'm really disappointed with these shoes",
        "awful, the jacket arrived torn",
    ],
    "neutral": [
        "where is my order",
        "do you ship to Austria?",
        "my order number is 102345",
        "size M please",
        "what payment methods do you take",
        "ok",
    ],
    "positive": [
        "thank you so much, that was quick",
        "love these boots!",
        "great service, very happy",
        "the tent is perfect, thanks",
        "amazing, it arrived early",
        "you've been really helpful",
    ],
}
TINY = {
    "epochs": 3,
    "batch_size": 8,
    "max_length": 24,
    "validation_fraction": 0.17,
    "early_stopping_patience": 3,
    "show_progress": False,
    "quantize": False,
}


def write_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for label, texts in ROWS.items():
            writer.writerows([text, label] for text in texts)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("sentiment")
    config = {**TINY, "training_file": str(write_csv(folder / "messages.csv"))}
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("sentiment")
    context = ExecutionContext(GraphSchema({}), "test")
    component = SentimentAnalyzer.create(config, storage, resource, context)
    component.train(TrainingData())
    return component, storage, resource, context, config


def sentiment(component: SentimentAnalyzer, *texts: str) -> list[dict]:
    return [m.get("sentiment") for m in component.process([Message({"text": t}) for t in texts])]


def test_every_message_gets_probabilities_over_the_three_labels(trained):  # type: ignore[no-untyped-def]
    [result] = sentiment(trained[0], "the box arrived crushed and nobody answers")
    assert set(result["scores"]) == set(LABELS)
    assert sum(result["scores"].values()) == pytest.approx(1.0, abs=1e-4)
    assert all(0.0 <= p <= 1.0 for p in result["scores"].values())
    assert result["label"] == max(result["scores"], key=result["scores"].get)
    assert result["confidence"] == result["scores"][result["label"]]


def test_it_learns_its_training_messages(trained):  # type: ignore[no-untyped-def]
    texts = [t for ts in ROWS.values() for t in ts]
    gold = [label for label, ts in ROWS.items() for _ in ts]
    predicted = [s["label"] for s in sentiment(trained[0], *texts)]
    assert sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold) >= 0.75


def test_persist_and_load_give_identical_scores(trained):  # type: ignore[no-untyped-def]
    component, storage, resource, context, config = trained
    loaded = SentimentAnalyzer.load(config, storage, resource, context)
    texts = ["thanks a lot!", "where is it", "this is a joke"]
    assert torch.allclose(component.predict(texts), loaded.predict(texts), atol=1e-6)
    with storage.read_from(resource) as directory:
        assert {p.suffix for p in directory.rglob("*") if p.is_file()} <= {
            ".json",
            ".safetensors",
            ".txt",
        }


def test_empty_messages_are_neutral_and_huge_ones_are_scored(trained):  # type: ignore[no-untyped-def]
    empty, huge = sentiment(trained[0], "  ", "terrible " * 3000)
    assert empty["label"] == "neutral" and empty["confidence"] == 1.0
    assert huge["label"] in LABELS


def test_the_labelled_messages_decide_the_fingerprint(tmp_path: Path):
    data = write_csv(tmp_path / "messages.csv")
    before = SentimentAnalyzer.fingerprint_addon({"training_file": str(data)})
    with data.open("a", encoding="utf-8") as handle:
        handle.write("one more happy shopper,positive\n")
    assert SentimentAnalyzer.fingerprint_addon({"training_file": str(data)}) != before


def test_a_bad_label_is_reported_with_its_line(tmp_path: Path):
    data = tmp_path / "bad.csv"
    data.write_text("text,label\nfine,positive\nhmm,angry\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv:3"):
        read_labelled(data)


def test_the_project_data_is_balanced_and_disjoint_from_the_holdout():
    texts, labels = read_labelled(PROJECT_ROOT / "data/sentiment/shopper_messages.csv")
    held_texts, held_labels = read_labelled(PROJECT_ROOT / "tests/sentiment_holdout.csv")
    assert len(texts) >= 600 and len(held_texts) >= 150
    for chosen in (labels, held_labels):
        counts = [chosen.count(label) for label in LABELS]
        assert max(counts) <= 1.1 * min(counts)

    def norm(t: str) -> str:
        return " ".join(t.lower().split())

    assert not {norm(t) for t in texts} & {norm(t) for t in held_texts}
