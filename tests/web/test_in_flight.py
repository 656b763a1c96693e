"""Waiting for the messages a conversation is handling now."""

from __future__ import annotations

import asyncio

import pytest

from bot.rasa_server.in_flight import InFlight


async def _waits_for_the_answer() -> None:
    in_flight = InFlight()
    release = asyncio.Event()
    log: list[str] = []

    async def answer() -> None:
        await release.wait()
        log.append("answered")

    async def history() -> None:
        await in_flight.settled("c1")
        log.append("history")

    async def resend() -> None:
        await in_flight.finished("c1", "m1")
        log.append("resend checked")

    handling = asyncio.create_task(in_flight.handle("c1", "m1", answer))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(history()), asyncio.create_task(resend())]
    # Another conversation and another message of this one are not held up.
    await asyncio.wait_for(in_flight.settled("c2"), timeout=1)
    await asyncio.wait_for(in_flight.finished("c1", "m2"), timeout=1)
    await asyncio.sleep(0.05)
    assert log == []
    release.set()
    await asyncio.gather(handling, *waiting)
    assert log[0] == "answered" and sorted(log[1:]) == ["history", "resend checked"]
    await asyncio.wait_for(in_flight.settled("c1"), timeout=1)


def test_history_and_resends_wait_for_the_message_being_answered():
    asyncio.run(_waits_for_the_answer())


async def _failure_is_not_in_flight() -> None:
    in_flight = InFlight()

    async def broken() -> None:
        raise RuntimeError("the action server is down")

    with pytest.raises(RuntimeError):
        await in_flight.handle("c1", "m1", broken)
    await asyncio.wait_for(in_flight.finished("c1", "m1"), timeout=1)
    await asyncio.wait_for(in_flight.settled("c1"), timeout=1)


def test_a_message_that_failed_is_no_longer_waited_for():
    asyncio.run(_failure_is_not_in_flight())
