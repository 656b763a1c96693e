"""Shopper messages the server is handling right now, by conversation.

A widget that lost its connection asks for the conversation's history and resends what it is
unsure about. Rasa saves a conversation only after it has answered, so a message that is still
being handled is in neither; waiting for it first keeps the history in the order the shopper
sees it and keeps a resent message from being handled twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class InFlight:
    """Which messages of which conversation are being handled, and a way to wait for them."""

    def __init__(self) -> None:
        self._running: dict[str, dict[str, asyncio.Event]] = {}

    async def handle(
        self, conversation_id: str, message_id: str, work: Callable[[], Awaitable[object]]
    ) -> None:
        """Run `work` for this message, known as in flight until it returns or fails."""
        done = asyncio.Event()
        running = self._running.setdefault(conversation_id, {})
        running[message_id] = done
        try:
            await work()
        finally:
            done.set()
            if running.get(message_id) is done:
                del running[message_id]
            if not running and self._running.get(conversation_id) is running:
                self._running.pop(conversation_id, None)

    async def finished(self, conversation_id: str, message_id: str) -> None:
        """Return once that message is not being handled (at once if it is not)."""
        done = self._running.get(conversation_id, {}).get(message_id)
        if done is not None:
            await done.wait()

    async def settled(self, conversation_id: str) -> None:
        """Return once no message of that conversation is being handled."""
        for done in list(self._running.get(conversation_id, {}).values()):
            await done.wait()
