"""Messages in another language go to the fallback ("I only understand English for now").

The classifier was fine-tuned on English only; given "¿Dónde está mi pedido?" it still picks
some intent, and sometimes a confident one (a person, a case). A message whose words include
several common function words of other European languages and none of English is marked
`nlu_fallback` instead, so the shopper is told plainly which language the assistant reads.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_models.stateless_component import StatelessComponent

ENGLISH = frozenset(
    "a an and are at be can could do does for from have how i in is it me my no not of on or"
    " please the this to was we what when where which who why will with you your".split()
)
FOREIGN = frozenset(
    "el los las una mi mis dónde donde está esta qué por para hace pedido pedí quiero tengo"
    " ist meine mein wo wann und nicht bitte bestellung ich habe"
    " où est mon ma mes je pas commande pourquoi quand"
    " dov'è dove mio ordine perché"
    " waar mijn bestelling niet".split()
)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
MIN_FOREIGN = 2


def foreign(text: str) -> bool:
    """Whether the text reads as another language: several of its words, none of English."""
    words = [w.lower() for w in WORD.findall(text)]
    return sum(w in FOREIGN for w in words) >= MIN_FOREIGN and not any(w in ENGLISH for w in words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageGuard(StatelessComponent):
    """Marks messages in another language as not understood."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if foreign(str(message.get(TEXT) or "")):
                message.set(INTENT, {"name": "nlu_fallback", "confidence": 1.0}, add_to_output=True)
        return messages
