"""A dialogue policy that offers a person (or hands over) when a shopper's frustration builds.

After each shopper message it rebuilds the conversation's frustration (nlu_models/frustration.py)
from the tracker: every message's sentiment and intent, and failed order verifications. It
counts only what happened since the assistant last offered a person, so a shopper who says
"no thanks" is not asked again at once. Below the threshold it abstains and the other policies
decide. An explicit request for a person is left to the rules.
"""

from __future__ import annotations

import logging
from dataclasses import fields
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ConversationResumed, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from nlu_models.frustration import REQUEST_HUMAN, FrustrationSettings, Turn, decide, turn_of

logger = logging.getLogger(__name__)

VERIFICATION_FAILURES_SLOT = "verification_failures"
HAND_OVER = "action_hand_over"


def turns_since(tracker: DialogueStateTracker, action: str) -> list[Turn]:
    """The shopper's turns since `action` or a handover, each marked if verification then failed.

    A person who took the conversation and handed it back starts the count afresh.
    """
    turns: list[Turn] = []
    failures = 0.0
    for event in tracker.applied_events():
        if isinstance(event, ConversationResumed) or (
            isinstance(event, ActionExecuted) and event.action_name in (action, HAND_OVER)
        ):
            turns = []
        elif isinstance(event, UserUttered):
            turns.append(turn_of({"text": event.text, **(event.parse_data or {})}))
        elif isinstance(event, SlotSet) and event.key == VERIFICATION_FAILURES_SLOT:
            value = float(event.value or 0)
            if value > failures and turns:
                turns[-1] = Turn(**{**turns[-1].__dict__, "verification_failed": True})
            failures = value
    return turns


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class EscalationPolicy(Policy):
    """Predicts the escalation action when the conversation's frustration crosses a threshold."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Above RulePolicy (4): when the shopper is this frustrated, escalation comes first.
            "priority": 6,
            # What escalation does: action_offer_human asks first; action_hand_over hands over.
            "action": "action_offer_human",
            # Score at which the conversation escalates (see nlu_models/frustration.py).
            "threshold": FrustrationSettings.threshold,
        }

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn: the signal's weights are settings, tuned on labelled conversations."""
        return self._resource

    def _settings(self) -> FrustrationSettings:
        known = {f.name for f in fields(FrustrationSettings)}
        return FrustrationSettings(**{k: v for k, v in self.config.items() if k in known})

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = self.config["action"]
        probabilities = self._default_predictions(domain)
        if tracker.latest_action_name == action:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities)
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.active_loop_name:
            return self._prediction(probabilities)
        turns = turns_since(tracker, action)
        if not turns or turns[-1].intent == REQUEST_HUMAN:
            return self._prediction(probabilities)
        decision = decide(turns, self._settings())
        if decision.escalate:
            logger.info("escalating: frustration %s", decision.trajectory[-3:])
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, action_metadata={"frustration": decision.trajectory})
