"""Shopdesk: the store-side services behind the assistant."""
