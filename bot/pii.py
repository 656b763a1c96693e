"""Find and mask personal data in free text: in the review queue, in log records.

E-mail addresses, card-like digit runs, phone numbers, order numbers and street addresses become
placeholders (`[email]`, `[card]`, `[phone]`, `[order_number]`, `[address]`), so a masked message
still reads as what the shopper meant. Prices, sizes, quantities, dates and postcodes stay.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}"
    r"\.[A-Za-z]{2,24}(?![\w-])"
)
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
"""13 to 19 digits, alone or in groups split by single spaces or dashes (masked if Luhn-valid)."""
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}(?:[\s./-]?\(?\d{1,5}\)?){1,5}"  # +49 30 1234567, 0044 20 7946 0958
    r"|\(?0\d{1,5}\)?[\s/-]?\d{2,}(?:[\s-]\d{2,}){0,3}"  # 030 1234567, (030) 123 45 67
    r"|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}"  # 555-123-4567, (555) 123 4567
    r"|\d{7,12}"  # a bare run of digits
    r")(?!\w)"
)
PHONE_DIGITS = range(7, 16)
ORDER_NUMBER = re.compile(r"(?<!\d)1\d{5}(?!\d)")
"""The store's order numbers, as actions/verification.py reads them: 6 digits starting with 1."""
_NOT_A_NAME = (
    r"(?!(?i:of|for|the|a|an|and|or|to|in|on|at|by|my|your|with|from|new|pairs?|items?|x)\b)"
)
"""Words that join a number to a street word in a sentence, never in a street's name."""
_WORDS = rf"(?:{_NOT_A_NAME}[A-Za-zÀ-ÿ][\w'.-]*\s+){{1,3}}"
_NAMES = rf"(?:{_NOT_A_NAME}[A-ZÀ-Þ][\w'.-]*\s+){{1,3}}"
_STREET = (
    # 12 Linden Street, 221b baker st: a number, one to three words, a street word
    rf"\d{{1,5}}[A-Za-z]?\s+{_WORDS}"
    r"(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|highway|hwy)\b\.?"
    # 7 River Walk, 3 Hill View: softer street words count only after capitalised names
    rf"|\d{{1,5}}[A-Za-z]?\s+{_NAMES}"
    r"(?:Walk|Row|View|Way|Close|Court|Place|Square|Terrace|Crescent|Gardens|Parade|Hill)\b"
    # Hauptstraße 5, Königsweg 12a
    r"|(?i:[\w-]*(?:straße|strasse|str\.|gasse|weg|allee|platz))\s*\d{1,4}[A-Za-z]?\b"
    # Calle Mayor 3, Rue de Rivoli 12
    r"|(?:Calle|Rue|Via|Viale|Avenida|Piazza|Plaza|Carrer)\s+(?:[\w'-]+\s+){0,3}"
    r"\d{1,4}[A-Za-z]?\b"
)
_FLAT = r"(?:,?\s*(?i:apt|apartment|flat|unit|suite)\.?\s*\w{1,5})?"
ADDRESS = re.compile(rf"(?<!\w)(?:{_STREET}){_FLAT}")
"""A street and house number, with the flat if one follows; not the postcode or the city."""


def _card(match: re.Match[str]) -> str:
    """[card] for a digit run that passes the Luhn check, as every payment card number does."""
    digits = [int(ch) for ch in match.group() if ch.isdigit()]
    total = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    return "[card]" if total % 10 == 0 else match.group()


def _phone(match: re.Match[str]) -> str:
    """[phone] for a number with as many digits as a phone number has."""
    digits = sum(ch.isdigit() for ch in match.group())
    return "[phone]" if digits in PHONE_DIGITS else match.group()


MASKS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (EMAIL, "[email]"),
    (CARD, _card),
    (PHONE, _phone),
    (ORDER_NUMBER, "[order_number]"),
    (ADDRESS, "[address]"),
)
"""In this order: an e-mail may hold digits, a card number holds phone-like runs."""


def mask_personal_data(text: str) -> str:
    """The text with every e-mail, card, phone, order number and street address replaced."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


class MaskingFilter(logging.Filter):
    """Masks personal data in a record's message, its arguments and its exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(_message(record))
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True


def _message(record: logging.LogRecord) -> str:
    """The record's message with its arguments filled in; both as they are if they don't fit."""
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        return f"{record.msg} {record.args}"


class _MaskingRecordFactory:
    """Wraps the record factory so every record is masked as it is made, whoever logs it."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner
        self.mask = MaskingFilter()

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        self.mask.filter(record)
        return record


def install_log_masking() -> None:
    """Mask personal data in every log record of this process, whichever logger or handler.

    A filter on a logger misses its children's records and a filter on a handler misses
    handlers added later (Rasa's, Sanic's); the record factory sees every record. Idempotent.
    """
    current = logging.getLogRecordFactory()
    if not isinstance(current, _MaskingRecordFactory):
        logging.setLogRecordFactory(_MaskingRecordFactory(current))
