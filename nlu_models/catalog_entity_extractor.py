"""Finds products, brands, categories, colours and sizes from the store's catalog in a message.

At train time the component reads the catalog from the store database (or, when that has no
products or cannot be reached, the demo catalog that `seed_store` generates) and turns it into
terms, each mapped to an entity type, its catalog spelling and the ids of the products it names.
Only those terms are persisted, as JSON; loading rebuilds a `spacy.blank("en")` pipeline with an
EntityRuler of phrase patterns matched on the lower-cased text. The component tokenizes with
that spaCy pipeline itself, so it needs no Rasa tokenizer before it.

What counts as a `product` term:
- every product title ("Adidas Pro Hoodie") naming that product;
- its kind, the generic noun the title ends with ("hoodie", "running shoes", "gps running
  watch"): the longest proper word suffix of the title (brand removed) that ends at least two
  different titles, so model names ("Pro", "Trail") drop off without a list of them; a title
  that shares no such suffix falls back to its last word;
- the last word of a multi-word kind when it has at least 4 letters ("jacket", "shoes",
  "backpack"), naming every product of the kinds it ends; shorter ones ("set", "bag") are
  too ambiguous alone.
A longer match wins over a shorter one: "Nike Pro Running Shoes" is one product entity with one
id, "Nike running shoes" is a brand and a kind. When a term is several types at once, the first
of `product, brand, category, colour, size` wins. Sizes that are one character or a number
("M", "42") count only right after "size"/"sizes"; longer letter sizes ("XL") count anywhere.

Fuzzy matching (difflib's ratio) catches typos in words and two-word phrases that matched
nothing exactly ("adiddas" → Adidas, "hoddie" → hoodie, "runing shoes" → running shoes). It
cannot: fix words shorter than `min_fuzzy_chars`, stopwords, sizes, a typo in a term of three
or more words ("the north fase"), a word split or joined wrongly ("hood ie"), or a typo that
changes the length by more than one letter; and it will take a real word that lies one letter
from a catalog term ("books" → Brooks).

Entities of the configured types that an earlier extractor (DIET) put on a span overlapping one
of ours are replaced by ours; every other entity of the message is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import get_settings
from bot.store.catalog import CatalogItem, active_catalog
from bot.store.db import make_engine, make_session_factory, session_scope
from bot.store.models import Base
from bot.store.seed import seed_store

logger = logging.getLogger(__name__)

ENTITY_TYPES = ("product", "brand", "category", "colour", "size")
CATALOG_FILE = "catalog.json"
SIZE_CUES = ["size", "sizes"]
# Letter sizes as shoppers say them; each counts when the catalog has the size it stands for.
SIZE_WORDS = {
    "extra small": "XS",
    "small": "S",
    "medium": "M",
    "large": "L",
    "extra large": "XL",
    "double extra large": "XXL",
}
MIN_HEAD_NOUN_CHARS = 4
MAX_FUZZY_LENGTH_CHANGE = 1

# term (lower case) → entity type → {"value": catalog spelling, "catalog_ids": [product ids]}
Terms = dict[str, dict[str, dict[str, Any]]]


def read_catalog(url: str, timeout_s: float = 3.0) -> list[CatalogItem]:
    """The active products of the store database at `url`, by id."""
    engine = make_engine(url, timeout_s=timeout_s)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return active_catalog(session)
    finally:
        engine.dispose()


def demo_catalog() -> list[CatalogItem]:
    """The catalog `seed_store` writes, built in a throwaway in-memory SQLite database."""
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with session_scope(make_session_factory(engine)) as session:
        seed_store(session)
        items = active_catalog(session)
    engine.dispose()
    return items


def _missing_sqlite_file(url: str) -> bool:
    """Whether `url` names a SQLite file that does not exist (connecting would create it)."""
    parsed = make_url(url)
    database = parsed.database or ""
    return (
        parsed.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not Path(database).is_file()
    )


def load_catalog() -> list[CatalogItem]:
    """The store's catalog, or the demo catalog when the store has none or cannot be read."""
    settings = get_settings()
    url = settings.store_db_url
    items: list[CatalogItem] = []
    if not _missing_sqlite_file(url):
        try:
            items = read_catalog(url, settings.db_timeout_s)
        except SQLAlchemyError as error:
            logger.warning("Catalog: store database unreadable (%s)", type(error).__name__)
    if items:
        logger.info("Catalog: %d products from the store database", len(items))
        return items
    logger.warning("Catalog: no products in the store database; using the demo catalog")
    return demo_catalog()


def _title_rest(item: CatalogItem) -> tuple[str, ...]:
    """The title's words after the brand."""
    words = item.title.split()
    brand = item.brand.split()
    same_brand = [w.lower() for w in words[: len(brand)]] == [w.lower() for w in brand]
    return tuple(words[len(brand) :] if same_brand else words)


def product_kinds(items: list[CatalogItem]) -> dict[int, str]:
    """Each product's kind: the longest proper title suffix that ends two different titles."""
    rests = {item.id: _title_rest(item) for item in items}
    shared = Counter(
        suffix for rest in set(rests.values()) for suffix in {rest[i:] for i in range(1, len(rest))}
    )
    kinds = {
        product_id: next(
            (rest[i:] for i in range(1, len(rest)) if shared[rest[i:]] >= 2), rest[-1:]
        )
        for product_id, rest in rests.items()
    }
    return {product_id: " ".join(kind).lower() for product_id, kind in kinds.items() if kind}


def _add(terms: Terms, term: str, entity: str, ids: list[int], value: str | None = None) -> None:
    """Record that `term` names `ids` as an `entity` (spelled `value`, else as the first seen)."""
    entry = terms.setdefault(term.lower(), {}).setdefault(
        entity, {"value": value or term, "catalog_ids": []}
    )
    entry["catalog_ids"] = sorted(set(entry["catalog_ids"]) | set(ids))


def catalog_terms(items: list[CatalogItem]) -> Terms:
    """Every term the catalog gives, with its entity types, catalog spellings and product ids."""
    terms: Terms = {}
    kinds = product_kinds(items)
    for item in items:
        _add(terms, item.title, "product", [item.id])
        if item.id in kinds:
            kind = kinds[item.id]
            _add(terms, kind, "product", [item.id])
            head = kind.split()[-1]
            if " " in kind and len(head) >= MIN_HEAD_NOUN_CHARS:
                _add(terms, head, "product", [item.id])
        _add(terms, item.brand, "brand", [item.id])
        _add(terms, item.category, "category", [item.id])
        for colour in item.colours:
            _add(terms, colour, "colour", [])
        for size in item.sizes:
            _add(terms, size, "size", [])
    sizes = {size.upper() for item in items for size in item.sizes}
    for word, size in SIZE_WORDS.items():
        if size in sizes:
            _add(terms, word, "size", [], value=size)
    return terms


def terms_digest(terms: Terms) -> str:
    """A hash of the catalog terms: it changes whenever the catalog would train differently."""
    return hashlib.sha256(json.dumps(terms, sort_keys=True).encode()).hexdigest()


def _needs_size_cue(size: str) -> bool:
    """Whether a size is too short or too numeric to stand alone ("M", "42")."""
    return len(size) < 2 or not size.replace(" ", "").isalpha()


def build_pipeline(terms: dict[str, str]) -> Language:
    """A blank English spaCy pipeline whose EntityRuler finds `terms` (term → entity type)."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {
                "label": entity,
                "id": term,
                "pattern": [{"LOWER": {"IN": SIZE_CUES}}, {"LOWER": term}]
                if entity == "size" and _needs_size_cue(term)
                else term,
            }
            for term, entity in terms.items()
        ]
    )
    return nlp


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two entities share at least one character."""
    return bool(a["start"] < b["end"] and b["start"] < a["end"])


def singular(text: str) -> str:
    """A plural's singular by its ending ("hoddies" → "hoddie", "runing shoes" → "runing shoe")."""
    return text[:-1] if len(text) > 4 and text.endswith("s") and not text.endswith("ss") else text


def _fuzzy_word(text: str) -> bool:
    """Whether a token may be corrected by fuzzy matching at all."""
    return text.isalpha() and text.lower() not in STOP_WORDS


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CatalogEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Catalog products, brands, categories, colours and sizes, mapped to catalog ids."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # The entity types to extract, any of product, brand, category, colour, size.
            # Entities of these types that an earlier extractor found on an overlapping span
            # are replaced by this component's.
            "entity_types": list(ENTITY_TYPES),
            # Least difflib similarity (0..1) for a typo to count as a catalog term. 0.82 takes
            # one wrong letter in a word of six or more ("hoddie") and one extra or missing
            # letter from four up ("adiddas"), but not one wrong letter in five ("shows").
            "fuzzy_threshold": 0.82,
            # Shorter words are never fuzzy-matched: too many real words lie near them.
            "min_fuzzy_chars": 4,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CatalogEntityExtractor:
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        terms: Terms | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        unknown = set(self.config["entity_types"]) - set(ENTITY_TYPES)
        if unknown:
            raise ValueError(f"{type(self).__name__}: unknown entity types {sorted(unknown)}")
        self._model_storage = model_storage
        self._resource = resource
        self.terms: Terms = {}
        self.labels: dict[str, str] = {}
        self.nlp: Language | None = None
        if terms:
            self._use(terms)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the catalog's terms or this code change, not only the NLU data."""
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(terms_digest(catalog_terms(load_catalog())).encode())
        return digest.hexdigest()

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "sqlalchemy"]

    def _use(self, terms: Terms) -> None:
        """Keep `terms` and build the spaCy pipeline for the configured entity types."""
        self.terms = terms
        order = [t for t in ENTITY_TYPES if t in self.config["entity_types"]]
        self.labels = {
            term: next(t for t in order if t in types)
            for term, types in terms.items()
            if any(t in types for t in order)
        }
        self.nlp = build_pipeline(self.labels)

    def train(self, training_data: TrainingData) -> Resource:
        """Read the catalog (the NLU data is not used) and persist its terms."""
        self._use(catalog_terms(load_catalog()))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / CATALOG_FILE).write_text(
                json.dumps({"terms": self.terms}, sort_keys=True), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CatalogEntityExtractor:
        """Rebuild the pipeline from the persisted terms; untrained (with a warning) if none."""
        try:
            with model_storage.read_from(resource) as directory:
                terms = json.loads((directory / CATALOG_FILE).read_text(encoding="utf-8"))["terms"]
        except (ValueError, KeyError, OSError):
            logger.warning("%s: no trained catalog found; it will not extract", cls.__name__)
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, terms)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.nlp is None:
            return messages
        for message in messages:
            ours = self.add_extractor_name(self.extract(message.get(TEXT) or ""))
            kept = [
                e
                for e in message.get(ENTITIES, [])
                if e.get("entity") not in self.config["entity_types"]
                or not any(_overlaps(e, o) for o in ours)
            ]
            merged = sorted(kept + ours, key=lambda e: (e["start"], e["end"]))
            message.set(ENTITIES, merged, add_to_output=True)
        return messages

    def extract(self, text: str) -> list[dict[str, Any]]:
        """The catalog entities in `text`, exact matches first, then typos, by position."""
        assert self.nlp is not None
        doc = self.nlp(text)
        exact = [self._exact(span) for span in doc.ents]
        taken = {i for span in doc.ents for i in range(span.start, span.end)}
        in_phrase = {i for span in doc.ents if len(span) > 1 for i in range(span.start, span.end)}
        fuzzy = self._fuzzy(doc, taken, in_phrase)
        exact = [e for e in exact if not any(_overlaps(e, f) for f in fuzzy)]
        return sorted(exact + fuzzy, key=lambda e: e["start"])

    def _entity(self, term: str, start: int, end: int, confidence: float) -> dict[str, Any]:
        """The entity dict for a match of `term` at text offsets `start`..`end`."""
        entity = self.labels[term]
        found = self.terms[term][entity]
        return {
            "entity": entity,
            "value": found["value"],
            "start": start,
            "end": end,
            "confidence_entity": confidence,
            "catalog_ids": list(found["catalog_ids"]),
        }

    def _exact(self, span: Span) -> dict[str, Any]:
        """An exact match; a size's cue word ("size M") is not part of the entity."""
        while span.label_ == "size" and len(span) > 1 and span[0].lower_ in SIZE_CUES:
            span = span[1:]
        return self._entity(span.ent_id_, span.start_char, span.end_char, 1.0)

    def _closest(self, text: str, words: int) -> tuple[str, float] | None:
        """The fuzzy-matchable term of `words` words nearest `text` or its singular, if near."""
        forms = {text, singular(text)}
        scored = [
            (SequenceMatcher(None, form, term).ratio(), term)
            for form in forms
            for term, entity in self.labels.items()
            if entity != "size"
            and len(term.split()) == words
            and len(term) >= self.config["min_fuzzy_chars"]
            and abs(len(term) - len(form)) <= MAX_FUZZY_LENGTH_CHANGE
        ]
        score, term = max(scored, default=(0.0, ""))
        return (term, score) if score >= self.config["fuzzy_threshold"] else None

    def _fuzzy(self, doc: Doc, taken: set[int], in_phrase: set[int]) -> list[dict[str, Any]]:
        """Typo matches: two-word phrases, then single words, never over an exact phrase."""
        found: list[dict[str, Any]] = []
        used: set[int] = set()
        for i in range(len(doc) - 1):
            pair = doc[i : i + 2]
            if (
                used & {i, i + 1}
                or in_phrase & {i, i + 1}
                or {i, i + 1} <= taken
                or not all(_fuzzy_word(t.text) for t in pair)
            ):
                continue
            match = self._closest(" ".join(t.lower_ for t in pair), 2)
            if match:
                found.append(self._entity(match[0], pair.start_char, pair.end_char, match[1]))
                used |= {i, i + 1}
        for token in doc:
            if token.i in taken | used or not _fuzzy_word(token.text):
                continue
            if len(token.text) < self.config["min_fuzzy_chars"]:
                continue
            match = self._closest(token.lower_, 1)
            if match:
                end = token.idx + len(token.text)
                found.append(self._entity(match[0], token.idx, end, match[1]))
        return found
