"""The shape every store-backed action shares: answer the shopper even when the store is down."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import Identity, identity_of
from actions.replies import say_locked, say_unavailable
from bot.store.off_loop import StoreUnavailable

YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


class StoreAction(Action, ABC):
    """An action that talks to the store; subclasses implement `act`."""

    needs_verified_order = False
    """Forms' submit actions: stop at once when verification was locked."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, identity: Identity
    ) -> list[EventType]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self.needs_verified_order and tracker.get_slot("verification_locked"):
            say_locked(dispatcher)
            return []
        try:
            return await self.act(dispatcher, tracker, identity_of(tracker))
        except StoreUnavailable:
            say_unavailable(dispatcher)
            return []


def reset(*slots: str) -> list[EventType]:
    return [SlotSet(s, None) for s in slots]


def as_text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()
