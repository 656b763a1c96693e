"""Personal data in free text is masked with placeholders; prices, sizes and quantities are not."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.pii import MaskingFilter, install_log_masking, mask_personal_data


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("my email is Maria.Lopez@example.com!", "my email is [email]!"),
        ("write to j_doe+shop@mail.example.co.uk please", "write to [email] please"),
        ("order 100042 never came", "order [order_number] never came"),
        ("orders #100042, 100043", "orders #[order_number], [order_number]"),
        ("card 4111 1111 1111 1111 exp 12/26", "card [card] exp 12/26"),
        ("card no 4111-1111-1111-1111", "card no [card]"),
        ("paid with 4111111111111111", "paid with [card]"),
        ("call +49 30 1234567", "call [phone]"),
        ("call 0049 (0)30 12345678", "call [phone]"),
        ("mobile 0151 23456789", "mobile [phone]"),
        ("us number (555) 123-4567", "us number [phone]"),
        ("text 555.123.4567 now", "text [phone] now"),
        ("ship to 12 Linden Street, Apt 4, 10115 Berlin", "ship to [address], 10115 Berlin"),
        ("i live at 221b baker st", "i live at [address]"),
        ("7 River Walk is my home", "[address] is my home"),
        ("Hauptstraße 5, Berlin", "[address], Berlin"),
        ("Calle Mayor 3, Madrid", "[address], Madrid"),
        (
            "I'm at 12 harbour road, order 100042, maria@example.com, +49 30 7654321",
            "I'm at [address], order [order_number], [email], [phone]",
        ),
    ],
)
def test_personal_data_becomes_a_placeholder(text: str, masked: str):
    assert mask_personal_data(text) == masked
    assert mask_personal_data(masked) == masked  # masking twice changes nothing


@pytest.mark.parametrize(
    "text",
    [
        "size 42 please",
        "do you have sizes 42 44 46 48",
        "size 10.5 US or EU 44",
        "2 pairs of road shoes",
        "3 new road bikes and 12 trail running shoes",
        "anything under €89.99 or 1,299.00",
        "price 120 eur for 2, 100 euros max",
        "ordered on 05.10.2024 or 2024-05-10 at 10:30",
        "my postcode is 10115",
        "the sku is SHO-0102 and tracking DH1234567890",
        "I want 2 with a nice view",
        "size 42 trail shoes way too small",
        "send 2 to my street",
    ],
)
def test_shopping_words_and_numbers_stay(text: str):
    assert mask_personal_data(text) == text


@pytest.fixture
def record_factory() -> Iterator[None]:
    """Whatever a test installs, the record factory is the original again afterwards."""
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)


def test_installed_masking_covers_every_logger_and_handler(record_factory: None):
    install_log_masking()
    installed = logging.getLogRecordFactory()
    install_log_masking()  # a second start changes nothing
    assert logging.getLogRecordFactory() is installed
    out = io.StringIO()
    handler = logging.StreamHandler(out)  # added after installing, on a non-propagating logger
    logger = logging.getLogger("tests.pii.detached")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("shopper %s asked about %d", "maria.lopez@example.com", 100042)
        logger.warning("lookup %(order)s for %(phone)s", {"order": 100042, "phone": "030 1234567"})
        try:
            raise ValueError("no customer maria.lopez@example.com")
        except ValueError:
            logger.exception("failed for 12 Linden Street")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "shopper [email] asked about [order_number]" in text
    assert "lookup [order_number] for [phone]" in text
    assert "failed for [address]" in text
    assert "ValueError: no customer [email]" in text
    assert "maria" not in text and "100042" not in text and "1234567" not in text


def test_the_filter_keeps_a_badly_formatted_record_and_masks_it():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "order %d for %s", ("100042",), None
    )  # too few arguments, and the wrong kind
    assert MaskingFilter().filter(record)
    assert record.getMessage() == "order %d for %s ('[order_number]',)"
