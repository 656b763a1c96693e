"""A quality gate for `make test`: print the measured value against its minimum."""

from __future__ import annotations


def gate(what: str, value: float, minimum: float) -> int:
    """0 when `value` reaches `minimum`, else 1 (the exit status make sees)."""
    if value < minimum:
        print(f"FAIL: {what} {value:.3f} is below {minimum:.2f}")
        return 1
    print(f"OK: {what} {value:.3f} >= {minimum:.2f}")
    return 0
