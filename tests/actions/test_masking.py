"""Personal data in replies is masked."""

from __future__ import annotations

from actions.masking import mask_card, mask_email, mask_street


def test_email_keeps_only_first_and_last_letter_and_domain():
    assert mask_email("maria.lopez@example.com") == "m***z@example.com"
    assert mask_email("a@example.com") == "a***@example.com"
    assert mask_email("not an email") == "***"


def test_street_keeps_only_two_letters():
    assert mask_street("12 Linden Street") == "12*** *** ***"
    assert mask_street("Linden Street 12") == "Li*** *** ***"


def test_card_shows_brand_and_last_four_only():
    assert mask_card("Visa", "4242") == "Visa ending in 4242"
    assert mask_card(None, None) == "card"
