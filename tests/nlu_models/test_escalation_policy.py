"""EscalationPolicy on real trackers and the project's domain."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from nlu_models.escalation_policy import EscalationPolicy
from tests.nlu_models.escalation_helpers import make_policy, said

OFFER = "action_offer_human"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def policy(tmp_path: Path) -> EscalationPolicy:
    return make_policy(tmp_path)


def predicted(policy: EscalationPolicy, domain: Domain, events: list[Event]) -> str | None:
    tracker = DialogueStateTracker.from_events("shopper", events, domain.slots)
    prediction = policy.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None  # abstains: the other policies decide
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_a_furious_shopper_is_offered_a_person(policy: EscalationPolicy, domain: Domain):
    events = said("THIRD TIME I ASK, USELESS BOT!!!", "complaint", 0.98)
    assert predicted(policy, domain, events) == OFFER
    assert predicted(policy, domain, [*events, ActionExecuted(OFFER)]) == "action_listen"


def test_a_mildly_sad_shopper_is_left_to_the_assistant(policy: EscalationPolicy, domain: Domain):
    events = said("sad the shoes didn't fit, how do I return them?", "return_item", 0.85)
    assert predicted(policy, domain, events) is None


def test_failed_verifications_count(policy: EscalationPolicy, domain: Domain):
    events = [
        *said("where is my order", "order_status", 0.1),
        *said("123456 and maria@example.com", "inform", 0.0),
        SlotSet("verification_failures", 1.0),
        *said("it IS 123456, why does this not work??", "inform", 0.8),
        SlotSet("verification_failures", 2.0),
    ]
    assert predicted(policy, domain, events[:-1]) is None
    assert (
        predicted(policy, domain, [*events, *said("seriously?? this is useless", "deny", 0.9)])
        == OFFER
    )


def test_after_an_offer_the_count_starts_again(policy: EscalationPolicy, domain: Domain):
    angry = said("THIRD TIME I ASK, USELESS BOT!!!", "complaint", 0.98)
    declined = [*angry, ActionExecuted(OFFER), *said("no, just answer me", "deny", 0.4)]
    assert predicted(policy, domain, declined) is None


def test_a_conversation_handed_back_by_a_person_starts_afresh(
    policy: EscalationPolicy, domain: Domain
):
    furious = said("THIRD TIME I ASK, USELESS BOT!!!", "complaint", 0.98)
    waiting = [ActionExecuted("action_hand_over"), ConversationPaused()]
    angry_while_waiting = [UserUttered("hello??? anyone???", parse_data=furious[1].parse_data)]
    back = [ConversationResumed(), ActionExecuted("action_listen")]
    calm = said("where is my order", "order_status", 0.3)
    events = [*furious, *waiting, *angry_while_waiting, *back, *calm]
    assert predicted(policy, domain, events) is None
    assert predicted(policy, domain, [*furious, *back, *calm]) is None


def test_explicit_requests_and_forms_are_left_to_the_rules(
    policy: EscalationPolicy, domain: Domain
):
    angry = said("THIRD TIME I ASK, USELESS BOT!!!", "complaint", 0.98)
    ask = said("GET ME A HUMAN NOW, useless bot", "request_human", 0.99)
    assert predicted(policy, domain, [*angry, *ask]) is None
    in_form = [ActiveLoop("order_status_form"), *angry]
    assert predicted(policy, domain, in_form) is None
