"""Benchmark scripts; each prints what it ran, how long it took, and writes bench/results/."""

import os

# Rasa's telemetry would try the network from every training run (none here, none offline).
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
