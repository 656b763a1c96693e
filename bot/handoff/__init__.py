"""Handing conversations to people: agent accounts and sessions, tickets and their transcripts."""
