"""The action server offers exactly the custom actions the domain names."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from tests.rasa_helpers import domain


def test_every_domain_action_is_served_and_nothing_else():
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain()["actions"])
