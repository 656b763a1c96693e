"""'The second one', 'the first item', 'number 2': which of a list the shopper points at."""

from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T")
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}
ORDINAL = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|last)\b|(?:number|no\.|#)\s*([1-9])\b", re.IGNORECASE
)


def nth(text: str, items: list[T]) -> T | None:
    """The item of `items` the text points at by its place, if it points at one."""
    match = ORDINAL.search(text)
    if match is None or not items:
        return None
    index = ORDINALS[match.group(1).lower()] if match.group(1) else int(match.group(2)) - 1
    return items[index] if -len(items) <= index < len(items) else None
