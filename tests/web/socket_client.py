"""A widget-like socket.io client for tests against the running shop."""

from __future__ import annotations

import asyncio
from typing import Any

import socketio

from tests.server_process import Shop


class Client:
    """A widget-like socket.io client that records what the server sends.

    It polls over HTTP: python-engineio's async websocket needs a newer aiohttp than Rasa pins.
    The browser tests cover the websocket transport.
    """

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "session_history", "bot_uttered"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: Any) -> None:
            await self.events.put((name, data))

        return record

    async def next(self, name: str) -> Any:
        while True:
            event, data = await asyncio.wait_for(self.events.get(), timeout=60)
            if event == name:
                return data

    async def open(self, shop: Shop, session_id: str | None = None) -> tuple[str, list[dict]]:
        await self.sio.connect(shop.chat_url, headers={"Origin": shop.site}, transports=["polling"])
        await self.sio.emit("session_request", {"session_id": session_id})
        confirmed = await self.next("session_confirm")
        return confirmed, (await self.next("session_history"))["messages"]

    def received(self) -> list[str]:
        """The names of the events that arrived and were not waited for yet."""
        names = []
        while not self.events.empty():
            names.append(self.events.get_nowait()[0])
        return names

    async def close(self) -> None:
        """Hang up without waiting out the current long poll."""
        await self.sio.eio.disconnect(abort=True)

    async def say(self, text: str, message_id: str, resend: bool = False) -> dict:
        message = {"message": text, "message_id": message_id, "resend": resend}
        return await self.sio.call("user_uttered", message, timeout=60)

    async def quiet_for(self, seconds: float) -> list[str]:
        """The events that arrive within `seconds` (the assistant should be silent)."""
        await asyncio.sleep(seconds)
        return self.received()
