"""A dialogue policy that lets a new task interrupt a form instead of being nagged back into it.

Rasa's rules answer a question asked in the middle of a form and then go back to the form: that
is right for "is shipping free?" while giving an order number. But a shopper who, while asked
for an order number, says "show me the cheapest gloves" or "just cancel it" has moved on; the
form's question appended to every later answer is the nagging shoppers hate. When the form could
not use the message (Rasa marks it rejected) and the message is a confident request for a
different task, this policy ends the form and starts that task: the form's action, or the
task's action followed by listening. A form that could not use a message saying "forget it" or
"never mind", whatever else it was read as (but another task), is left as after a stop. What
the form had collected (the order number, its proof) stays in the conversation for the next task.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import (
    ACTION_DEACTIVATE_LOOP_NAME,
    ACTION_EXTRACT_SLOTS,
    ACTION_LISTEN_NAME,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.leaving import LEAVING

STOP = "stop"
"""Rules end a form on this intent; the policy leaves one only on words read as another."""
LEAVE_FORM = "action_leave_form"
"""Ends the form, forgets its half-collected answers and says nothing changed."""


def actions_this_turn(tracker: DialogueStateTracker) -> list[str]:
    """The actions run since the shopper's latest message, in order (slot extraction aside)."""
    names: list[str] = []
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name not in (
            None,
            ACTION_EXTRACT_SLOTS,
        ):
            names.append(event.action_name)
    return names[::-1]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class TaskSwitchPolicy(Policy):
    """Ends a form the shopper left for another task, then starts that task."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # As high as the rules, and listed before RulePolicy, so it wins their tie.
            "priority": 6,
            # The shopper's tasks: intent -> the form or action that starts it.
            "tasks": {},
            # How sure the intent classifier must be before a form is left for another task.
            "min_confidence": 0.8,
        }

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn: which intents start which task is configuration."""
        return self._resource

    def _next_action(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        """The action that carries the switch (or the leaving) on at this point of the turn."""
        message = tracker.latest_message
        if message is None:
            return None
        intent = message.intent or {}
        done = actions_this_turn(tracker)
        form = tracker.active_loop_name
        rejected = bool(form and tracker.active_loop.rejected)
        start = self.config["tasks"].get(str(intent.get("name")))
        if float(intent.get("confidence") or 0.0) < self.config["min_confidence"]:
            start = None
        if intent.get("name") != STOP and LEAVING.search(message.text or ""):
            if done == [LEAVE_FORM]:
                return ACTION_LISTEN_NAME
            if not done and rejected and start in (None, form):
                return LEAVE_FORM
        if start is None:
            return None
        if not done and rejected and form != start:
            return ACTION_DEACTIVATE_LOOP_NAME
        if done == [ACTION_DEACTIVATE_LOOP_NAME]:
            return start
        if done == [ACTION_DEACTIVATE_LOOP_NAME, start] and start not in domain.form_names:
            return ACTION_LISTEN_NAME
        return None

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self._next_action(tracker, domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
