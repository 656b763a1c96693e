"""The store's database: models, sessions and query functions."""
