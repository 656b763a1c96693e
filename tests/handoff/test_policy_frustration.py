"""A handover's frustration trajectory is the escalation policy's, never a second computation
with other weights: carried from the policy's escalation, or its signal with its settings."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from bot.handoff.transcript import EscalationSignal, escalation_signal, frustration_of
from bot.rasa_config import policy_config
from nlu_models.escalation_policy import turns_since
from nlu_models.frustration import (
    TRAJECTORY_METADATA,
    FrustrationSettings,
    decide,
    settings_of,
    trajectory,
)
from tests.nlu_models.escalation_helpers import make_policy, said

OFFER = "action_offer_human"
# Not the defaults: a handover computing with the defaults would give other numbers.
TUNED = {"negative_weight": 0.8, "decay": 0.7, "intensity_weight": 0.2, "threshold": 1.1}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def as_sent(events: list[Event]) -> list[dict[str, Any]]:
    """The events as the action server receives them (and the tracker store keeps them)."""
    return [event.as_dict() for event in events]


FURIOUS = [
    *said("where is my order", "order_status", 0.4),
    *said("WHERE IS IT, third time I ask!!", "order_status", 0.95),
    *said("this is useless, I'll file a chargeback", "complaint", 0.99),
]


def test_accepting_the_offer_brings_the_trajectory_the_policy_escalated_on(
    tmp_path: Path, domain: Domain
):
    tuned = make_policy(tmp_path, **TUNED)
    prediction = tuned.predict_action_probabilities(
        DialogueStateTracker.from_events("shopper", FURIOUS, domain.slots), domain
    )
    assert domain.action_names_or_texts[prediction.max_confidence_index] == OFFER
    escalated = prediction.action_metadata[TRAJECTORY_METADATA]
    # How Rasa logs the policy's action: its prediction's metadata on the action's event.
    offer = ActionExecuted(OFFER, "EscalationPolicy", 1.0, metadata=prediction.action_metadata)
    accepted = [
        *FURIOUS,
        offer,
        BotUttered("Would you like a person?"),
        *said("yes please", "affirm", 0.1),
    ]
    assert frustration_of(as_sent(accepted)) == escalated
    defaults = EscalationSignal(FrustrationSettings(), OFFER)
    assert frustration_of(as_sent(FURIOUS), defaults) != escalated  # the weights matter


def test_asking_for_a_person_gets_the_policys_signal_with_its_settings(
    tmp_path: Path, domain: Domain
):
    settings = settings_of(TUNED)
    events = [
        *said("cancel my order", "cancel_order", 0.3),
        *said("100042 and ana@example.com", "inform", 0.1),
        SlotSet("verification_failures", 1.0),
        *said("you don't understand, it IS my order!!", "inform", 0.9),
        ActionExecuted(OFFER),
        *said("no, just cancel it", "deny", 0.5),
        ActionExecuted("utter_carry_on"),
        *said("GET ME A HUMAN", "request_human", 0.97),
    ]
    tracker = DialogueStateTracker.from_events("shopper", events, domain.slots)
    expected = decide(turns_since(tracker, OFFER), settings).trajectory
    assert len(expected) == 2  # counted since the offer, as the policy counts
    assert frustration_of(as_sent(events), EscalationSignal(settings, OFFER)) == expected


def test_the_count_matches_the_policy_across_verification_and_handbacks(
    tmp_path: Path, domain: Domain
):
    settings = settings_of(TUNED)
    events = [
        *said("where is my order", "order_status", 0.2),
        *said("100042 and ana@example.com", "inform", 0.0),
        SlotSet("verification_failures", 1.0),
        ActionExecuted("action_hand_over"),
        ConversationPaused(),
        ConversationResumed(),
        *said("it IS 100042, why does this not work??", "inform", 0.8),
        SlotSet("verification_failures", 2.0),
        *said("seriously?? this is useless", "deny", 0.9),
    ]
    tracker = DialogueStateTracker.from_events("shopper", events, domain.slots)
    turns = turns_since(tracker, OFFER)
    assert [t.verification_failed for t in turns] == [True, False]
    assert frustration_of(as_sent(events), EscalationSignal(settings, OFFER)) == trajectory(
        turns, settings
    )


def test_a_declined_offer_carries_nothing_to_a_later_handover(domain: Domain):
    offer = ActionExecuted(OFFER, "EscalationPolicy", 1.0, metadata={TRAJECTORY_METADATA: [2.0]})
    declined = [
        *FURIOUS,
        offer,
        *said("no", "deny", 0.2),
        ActionExecuted("utter_carry_on"),
        *said("a person please", "request_human", 0.3),
    ]
    scores = frustration_of(as_sent(declined), EscalationSignal(FrustrationSettings(), OFFER))
    assert scores != [2.0] and len(scores) == 2


def test_the_handover_reads_the_policys_settings_from_config_yml():
    configured = policy_config("EscalationPolicy")
    signal = escalation_signal()
    assert signal.settings == settings_of(configured)
    assert signal.action == configured["action"]
    assert asdict(signal.settings)["threshold"] == configured["threshold"]
