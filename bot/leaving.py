"""The words with which a shopper drops the task at hand ("forget it", "never mind")."""

from __future__ import annotations

import re

LEAVING = re.compile(
    r"\b(forget it|never ?mind|no need|leave it|don'?t bother|not any ?more|doesn'?t matter)\b",
    re.IGNORECASE,
)
