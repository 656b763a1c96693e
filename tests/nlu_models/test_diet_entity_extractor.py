"""DIET trained on a copy: the shared training data, and so other components' cache keys, stay."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_models.diet_entity_extractor import DIETEntityExtractor

SENTENCES = [
    ("I want blue shoes", "blue", 7),
    ("do you have red jackets", "red", 12),
    ("show me green hoodies", "green", 8),
    ("any black socks", "black", 4),
]


def featurized(path: Path) -> TrainingData:
    """A few messages with a colour entity, tokenized and featurized as in the pipeline."""
    data = TrainingData(
        [
            Message(
                data={
                    "text": text,
                    "intent": "product_search",
                    "entities": [
                        {"start": at, "end": at + len(value), "value": value, "entity": "colour"}
                    ],
                }
            )
            for text, value, at in SENTENCES
        ]
    )
    context = ExecutionContext(GraphSchema({}), "test")
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(data)
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(),
        LocalModelStorage(path),
        Resource("featurizer"),
        context,
    )
    featurizer.train(data)
    featurizer.process_training_data(data)
    return data


def trained_on(component: type[DIETClassifier], path: Path) -> tuple[str, str]:
    """The data's fingerprint before and after `component` trained on it."""
    (path / "features").mkdir()
    (path / "diet").mkdir()
    data = featurized(path / "features")
    before = data.fingerprint()
    config = {
        **component.get_default_config(),
        "epochs": 1,
        "intent_classification": False,
        "entity_recognition": True,
    }
    diet = component.create(
        config,
        LocalModelStorage(path / "diet"),
        Resource("diet"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    diet.train(data)
    return before, data.fingerprint()


@pytest.mark.slow
def test_training_leaves_the_shared_data_as_it_was(tmp_path: Path):
    before, after = trained_on(DIETEntityExtractor, tmp_path)
    assert after == before


@pytest.mark.slow
def test_rasa_s_own_diet_changes_the_data_it_trains_on(tmp_path: Path):
    """Why the copy is needed: Rasa 3.6's DIET writes BILOU tags into the shared messages."""
    before, after = trained_on(DIETClassifier, tmp_path)
    assert after != before
