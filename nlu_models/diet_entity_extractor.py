"""Rasa's DIET, finding entities only, trained on its own copy of the training data.

DIET's training writes BILOU entity tags into the messages it is given (`apply_bilou_schema`).
Rasa hands every NLU component the same `TrainingData` object and fingerprints a component's
input just before training it, so a component that happens to train after DIET (our BERT
classifier, the synonym mapper) hashes the tagged data, while the next `rasa train` hashes the
cached, untagged fingerprint: the cache key differs and that component retrains for nothing.
Training DIET on a copy leaves the shared data as the featurizers made it.
"""

from __future__ import annotations

import copy

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class DIETEntityExtractor(DIETClassifier):
    """DIET as Rasa ships it, except that training never changes the data it is given."""

    def train(self, training_data: TrainingData) -> Resource:
        return super().train(copy.deepcopy(training_data))
