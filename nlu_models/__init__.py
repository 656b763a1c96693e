"""Shopdesk's own Rasa GraphComponents."""
