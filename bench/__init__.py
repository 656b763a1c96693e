"""Benchmark scripts; each prints what it ran, how long it took, and writes bench/results/."""
