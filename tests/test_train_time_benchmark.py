"""The training-time benchmark's clock, fed Rasa's own log lines."""

from __future__ import annotations

import logging

from bench.train_time import ComponentClock


def test_each_component_gets_the_time_between_its_start_and_finish_lines():
    clock = ComponentClock()
    logger = logging.getLogger("test.train_time")
    logger.setLevel(logging.INFO)
    logger.addHandler(clock)
    try:
        logger.info("Starting to train component 'DIETEntityExtractor'.")
        logger.info("Finished training component 'DIETEntityExtractor'.")
        logger.info("Restored component 'CountVectorsFeaturizer' from cache.")
        logger.info("Finished training component 'NeverStarted'.")
        logger.info("Starting to train component 'TEDPolicy'.")
    finally:
        logger.removeHandler(clock)
    assert list(clock.seconds) == ["DIETEntityExtractor"]
    assert clock.seconds["DIETEntityExtractor"] >= 0.0
