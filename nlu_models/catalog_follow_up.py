"""Short product follow-ups that name only catalog terms: "and leggings?", "in navy?", "size 42?".

Such a message has too few words for the intent classifier to be sure of, so it falls back or is
read as some other short message; yet what it asks is plain from the catalog terms in it. Placed
after the FallbackClassifier, this component makes a message whose words are catalog terms (a
product, category, brand, colour or size) and a few filler words a product request: a new search
when it names a kind of product, else a narrowing of the last one. Other messages are untouched.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_models.stateless_component import StatelessComponent

KINDS = frozenset({"product", "category"})
NARROWING = frozenset({"brand", "colour", "size", "max_price", "min_price"})
UNSURE = frozenset({"nlu_fallback", "inform", "out_of_scope", "chitchat"})
FILLER = frozenset(
    "a an and any anything about also are available come colour color do does for from got have"
    " ok okay well hmm so just only need want looking like would i'd i'm"
    " how i in is it maybe me more of on one ones or please pls show size sizes some something"
    " the them then there they what with you under below over above less than max budget around"
    " euros euro eur".split()
)
WORD = re.compile(r"[a-z']+")


def product_request(message: Message, min_confidence: float) -> str | None:
    """The product intent a catalog-only message makes, or None when it is something else."""
    intent = message.get(INTENT) or {}
    if intent.get("name") not in UNSURE and float(intent.get("confidence") or 0) >= min_confidence:
        return None
    entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") in KINDS | NARROWING]
    if not entities:
        return None
    text = str(message.get(TEXT) or "")
    for entity in sorted(entities, key=lambda e: -int(e.get("start", 0))):
        text = text[: int(entity["start"])] + " " + text[int(entity["end"]) :]
    if any(word not in FILLER for word in WORD.findall(text.lower())):
        return None
    return "product_search" if any(e["entity"] in KINDS for e in entities) else "refine_search"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CatalogFollowUp(StatelessComponent):
    """Reads a message made of catalog terms as the product request it is."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Below this confidence any intent gives way to the catalog terms.
        return {"min_confidence": 0.8}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = product_request(message, float(self.config["min_confidence"]))
            if intent is not None:
                message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
        return messages
