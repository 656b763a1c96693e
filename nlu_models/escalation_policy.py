"""A dialogue policy that offers a person (or hands over) when a shopper's frustration builds.

After each shopper message it rebuilds the conversation's frustration (nlu_models/frustration.py)
from the tracker: every message's sentiment and intent, and failed order verifications. It
counts only what happened since the assistant last offered a person, so a shopper who says
"no thanks" is not asked again at once. Below the threshold it abstains and the other policies
decide. An explicit request for a person is left to the rules.

When it escalates, the trajectory it decided on rides on the escalation action's event (its
prediction's action metadata), and the handover puts that on the ticket (bot/handoff/).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from nlu_models.frustration import (
    OFFER_HUMAN,
    REQUEST_HUMAN,
    TRAJECTORY_METADATA,
    FrustrationSettings,
    Turn,
    counted_turns,
    decide,
    settings_of,
)

logger = logging.getLogger(__name__)


def turns_since(tracker: DialogueStateTracker, action: str) -> list[Turn]:
    """The shopper's turns since `action` or a handover, each marked if verification then failed.

    A person who took the conversation and handed it back starts the count afresh. The same
    count as the handover's (nlu_models/frustration.py `counted_turns`), on the tracker's events.
    """
    return counted_turns((event.as_dict() for event in tracker.applied_events()), action)


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
            "action": OFFER_HUMAN,
            # Score at which the conversation escalates (see nlu_models/frustration.py).
            "threshold": FrustrationSettings.threshold,
        }

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn: the signal's weights are settings, tuned on labelled conversations."""
        return self._resource

    def _settings(self) -> FrustrationSettings:
        return settings_of(self.config)

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
        return self._prediction(
            probabilities, action_metadata={TRAJECTORY_METADATA: decision.trajectory}
        )
