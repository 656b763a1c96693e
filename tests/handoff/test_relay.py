"""The relay's notices: what the console may send, who may send it, and what it becomes."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed, SlotSet

from bot.handoff.relay import MAX_TEXT, Notice, RelayError, bearer_matches, send_notice
from bot.rasa_server.handoff_relay import events_for

SECRET = "a-secret-the-store-and-rasa-share-0123456789"


def notice_body(**changes: object) -> dict:
    return {"conversation_id": "c0ffee", "kind": "message", "agent": "Ana", "text": "Hi", **changes}


def test_only_the_shared_key_is_accepted():
    assert bearer_matches(f"Bearer {SECRET}", SECRET)
    assert not bearer_matches("Bearer another-secret-of-the-same-length-0123456", SECRET)
    assert not bearer_matches(SECRET, SECRET)  # no scheme
    assert not bearer_matches(f"Basic {SECRET}", SECRET)
    assert not bearer_matches(None, SECRET)
    assert not bearer_matches("Bearer ", "")  # an unset secret opens nothing


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "JSON object"),
        (notice_body(conversation_id="../../etc"), "conversation_id"),
        (notice_body(conversation_id=""), "conversation_id"),
        (notice_body(kind="restart"), "kind"),
        (notice_body(agent=""), "agent"),
        (notice_body(agent="x" * 81), "agent"),
        (notice_body(text="x" * (MAX_TEXT + 1)), "text"),
        (notice_body(text="   "), "needs text"),
        (notice_body(text=42), "text"),
    ],
)
def test_malformed_notices_are_refused_with_the_reason(body: object, problem: str):
    with pytest.raises(ValueError, match=problem):
        Notice.parse(body)


def test_an_agent_message_is_a_bot_message_marked_with_the_agent():
    [said] = events_for(Notice.parse(notice_body(text="  Let me check.  ")))
    assert isinstance(said, BotUttered)
    assert said.text == "Let me check."
    assert said.data["custom"] == {"type": "handoff", "state": "message", "agent": "Ana"}
    assert said.metadata == {"agent": "Ana"}


@pytest.mark.parametrize("kind", ["handed_back", "closed"])
def test_handing_back_resumes_the_assistant_and_asks_for_a_rating(kind: str):
    events = events_for(Notice.parse(notice_body(kind=kind, text="")))
    assert isinstance(events[0], ConversationResumed)
    assert SlotSet("handoff", None) in events
    rating = [e for e in events if isinstance(e, BotUttered)][-1]
    assert [b["payload"] for b in rating.data["buttons"]] == [
        f'/rate_conversation{{"rating": {n}}}' for n in range(1, 6)
    ]
    assert events[-1] == ActionExecuted("action_listen")


def test_a_chat_server_that_never_answers_is_a_relay_error(silent_server: str):
    notice = Notice.parse(notice_body())
    with pytest.raises(RelayError, match="could not be reached"):
        asyncio.run(send_notice(silent_server, SECRET, notice, timeout_s=0.5))
