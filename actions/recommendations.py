"""Follow-ups on products and suggestions: "recommend me something", "more like this",
"cheaper", "in blue", "what goes with it".

The recommendation service answers first; when it is down or slow, the store database answers
(best sellers, co-purchases) and the shopper is not told anything alarming.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import replace
from decimal import Decimal
from urllib.parse import quote

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import StoreAction, as_text, reset
from actions.identity import Identity
from actions.order_text import money
from actions.product_cards import Card, cards_of_picks, product_card, show_products
from actions.product_focus import Focus, focus_of, last_search, searched, shown
from actions.products import BUDGET_WORDS, SEARCH_SLOTS, budget, search_cards, show_search
from actions.recommender_access import PICKS, ask_recommender
from actions.store_access import in_store
from bot.store.products import ProductQuery, best_sellers, bought_with, product_by_sku

NO_FOCUS = (
    'Which product do you mean? Search for something first ("show me rain jackets"), '
    "or tell me its name."
)
CENT = Decimal("0.01")
BARE_SIZE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]5)?)(?![\d.,]*\d)")


def _said(tracker: Tracker, name: str) -> str | None:
    return as_text(tracker.get_slot(name)) or None


def _product_path(focus: Focus, endpoint: str) -> str:
    return f"/products/{quote(focus.sku, safe='')}/{endpoint}"


async def _focus(tracker: Tracker) -> Focus | None:
    return await in_store(lambda session: focus_of(session, tracker))


async def _similar_cards(focus: Focus, query: ProductQuery, identity: Identity) -> list[Card]:
    """Products like the one in focus within the query's filters, the service's or the store's."""
    picks = await ask_recommender(
        _product_path(focus, "similar"),
        {
            "customer_id": identity.customer_id,
            "colour": query.colour,
            "size": query.size,
            "brand": query.brand,
            "min_price": query.min_price,
            "max_price": query.max_price,
        },
    )

    def lookup(session: Session) -> list[Card]:
        if picks is not None:
            return cards_of_picks(session, picks)
        same_kind = replace(query, text=None, category=focus.category)
        found = best_sellers(session, query=same_kind, limit=PICKS + 1)
        return [product_card(p, f"also in {focus.category}") for p in found if p.id != focus.id][
            :PICKS
        ]

    return await in_store(lookup)


def _said_filters(tracker: Tracker) -> ProductQuery:
    """Colour, size, brand and price bounds said in this message (no words, no category)."""
    return ProductQuery(
        brand=_said(tracker, "brand"),
        colour=_said(tracker, "colour"),
        size=_said(tracker, "size"),
        min_price=budget(tracker, "min_price"),
        max_price=budget(tracker, "max_price"),
    )


async def _suggestions(query: ProductQuery, identity: Identity) -> tuple[str, list[Card]]:
    """Personal picks for a signed-in shopper; for a guest, a search or the best sellers."""
    if identity.customer_id is None and query.text:
        return "Here's what I'd suggest:", await search_cards(query, identity)
    picks = None
    if identity.customer_id is not None:
        picks = await ask_recommender(
            f"/shoppers/{identity.customer_id}/recommendations",
            {
                "q": query.text,
                "category": query.category,
                "brand": query.brand,
                "colour": query.colour,
                "size": query.size,
                "budget": query.max_price,
                "min_price": query.min_price,
            },
        )

    def suggestions(session: Session) -> list[Card]:
        if picks is not None:
            return cards_of_picks(session, picks)
        found = best_sellers(session, query=query, limit=PICKS)
        return [product_card(p, "one of our best sellers") for p in found]

    intro = "Here are a few picks for you:" if picks else "Here are some of our favourites:"
    return intro, await in_store(suggestions)


class ActionRecommend(StoreAction):
    """ "Recommend me something", with whatever the shopper said about what they want."""

    def name(self) -> str:
        return "action_recommend"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        query = replace(
            _said_filters(tracker),
            text=_said(tracker, "product"),
            category=_said(tracker, "category"),
        )
        intro, cards = await _suggestions(query, identity)
        if cards:
            show_products(dispatcher, tracker, intro, cards)
        else:
            dispatcher.utter_message(
                text="I don't have anything in stock that fits all of that. "
                "Could you loosen the budget, size or colour?"
            )
        return reset(*SEARCH_SLOTS) + shown(cards) + searched(query if query.text else None)


class FollowUpAction(StoreAction, ABC):
    """A follow-up on the product in focus: products for it as cards, or a plain why not."""

    no_focus = NO_FOCUS

    @abstractmethod
    async def cards_for(self, focus: Focus, tracker: Tracker, identity: Identity) -> list[Card]: ...

    @abstractmethod
    def intro(self, focus: Focus) -> str: ...

    @abstractmethod
    def nothing(self, focus: Focus) -> str:
        """What to say when no product fits."""

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        focus = await _focus(tracker)
        if focus is None:
            dispatcher.utter_message(text=self.no_focus)
            return reset(*SEARCH_SLOTS)
        cards = await self.cards_for(focus, tracker, identity)
        if not cards:
            dispatcher.utter_message(text=self.nothing(focus))
            return reset(*SEARCH_SLOTS)
        show_products(dispatcher, tracker, self.intro(focus), cards)
        return reset(*SEARCH_SLOTS) + shown(cards)


class ActionSimilarProducts(FollowUpAction):
    """ "More like this": products like the one in focus, within any price, colour or size said."""

    def name(self) -> str:
        return "action_similar_products"

    async def cards_for(self, focus: Focus, tracker: Tracker, identity: Identity) -> list[Card]:
        return await _similar_cards(focus, _said_filters(tracker), identity)

    def intro(self, focus: Focus) -> str:
        return f"More like {focus.the_title}:"

    def nothing(self, focus: Focus) -> str:
        return f"I don't have anything else like {focus.the_title} in stock right now."


class ActionCheaper(FollowUpAction):
    """ "Anything cheaper?": like the product in focus, for less than it costs."""

    no_focus = (
        "Cheaper than what? Tell me what you're looking for and your budget, "
        'for example "running shoes under $80".'
    )

    def name(self) -> str:
        return "action_cheaper"

    async def cards_for(self, focus: Focus, tracker: Tracker, identity: Identity) -> list[Card]:
        said = _said_filters(tracker)
        earlier = last_search(tracker) or ProductQuery()
        bounds = (said.max_price, focus.price - CENT)
        ceiling = min(b for b in bounds if b is not None)
        if ceiling <= 0:
            return []
        query = replace(
            said,
            colour=said.colour or earlier.colour,
            size=said.size or earlier.size,
            max_price=ceiling,
        )
        return await _similar_cards(focus, query, identity)

    def intro(self, focus: Focus) -> str:
        return f"Cheaper than {focus.the_title} ({money(focus.price)}):"

    def nothing(self, focus: Focus) -> str:
        return (
            f"I don't have anything like {focus.the_title} for less than "
            f"{money(focus.price)} right now."
        )


def resized(text: str) -> str | None:
    """The size in "make that 43" after a search by size: a bare number that is no budget."""
    match = BARE_SIZE.search(text)
    return match.group(1) if match and not BUDGET_WORDS.search(text) else None


def _refinement(query: ProductQuery) -> str:
    """The words for a colour, size or brand the shopper narrowed to: "in blue, size M"."""
    parts = [
        f"in {query.colour}" if query.colour else "",
        f"size {query.size}" if query.size else "",
        f"from {query.brand}" if query.brand else "",
        f"under {money(query.max_price)}" if query.max_price is not None else "",
    ]
    return ", ".join(p for p in parts if p)


class ActionRefineSearch(StoreAction):
    """ "In blue", "any in size M?": the last search again, or the product in focus, narrowed."""

    def name(self) -> str:
        return "action_refine_search"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]:
        earlier = last_search(tracker)
        said = _said_filters(tracker)
        if said.size is None and earlier is not None and earlier.size:
            said = replace(said, size=resized(str(tracker.latest_message.get("text") or "")))
        wanted = _refinement(said)
        if not wanted:
            dispatcher.utter_message(text="Which colour, size or brand would you like?")
            return reset(*SEARCH_SLOTS)
        focus = None if earlier is not None else await _focus(tracker)
        if focus is not None:
            return await self._narrow_focus(dispatcher, tracker, identity, focus, said, wanted)
        base = earlier or ProductQuery(text=wanted)
        query = replace(
            base,
            colour=said.colour or base.colour,
            size=said.size or base.size,
            brand=said.brand or base.brand,
            min_price=said.min_price if said.min_price is not None else base.min_price,
            max_price=said.max_price if said.max_price is not None else base.max_price,
        )
        return await show_search(
            dispatcher,
            tracker,
            identity,
            query,
            found=f"Here's what I found {wanted}:",
            none=f"I couldn't find any {wanted} in stock, sorry.",
        )

    @staticmethod
    async def _narrow_focus(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        identity: Identity,
        focus: Focus,
        said: ProductQuery,
        wanted: str,
    ) -> list[EventType]:
        """The product in focus if it comes that way, else similar ones that do."""
        if said.brand is None and focus.has(colour=said.colour, size=said.size):

            def card(session: Session) -> list[Card]:
                product = product_by_sku(session, sku=focus.sku)
                return [product_card(product, f"in stock {wanted}")] if product else []

            cards = await in_store(card)
            show_products(dispatcher, tracker, f"Yes, {focus.the_title} comes {wanted}:", cards)
            return reset(*SEARCH_SLOTS) + shown(cards)
        cards = await _similar_cards(focus, said, identity)
        if cards:
            intro = f"{focus.the_title_capitalised} doesn't come {wanted}, but these do:"
            show_products(dispatcher, tracker, intro, cards)
        else:
            dispatcher.utter_message(
                text=f"Sorry, I have nothing like {focus.the_title} {wanted} in stock."
            )
        return reset(*SEARCH_SLOTS) + shown(cards)


class ActionGoesWith(FollowUpAction):
    """ "What goes with it?": what shoppers bought together with the product in focus."""

    def name(self) -> str:
        return "action_goes_with"

    async def cards_for(self, focus: Focus, tracker: Tracker, identity: Identity) -> list[Card]:
        picks = await ask_recommender(_product_path(focus, "bought-together"), {})

        def partners(session: Session) -> list[Card]:
            if picks is not None:
                return cards_of_picks(session, picks)
            found = bought_with(session, product_id=focus.id, limit=PICKS)
            return [product_card(p, f"often bought with {focus.the_title}") for p in found]

        return await in_store(partners)

    def intro(self, focus: Focus) -> str:
        return f"Goes well with {focus.the_title}:"

    def nothing(self, focus: Focus) -> str:
        return f"I don't have good suggestions to go with {focus.the_title} yet."
