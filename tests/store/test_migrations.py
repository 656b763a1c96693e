"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.store.db import make_engine, migrate
from bot.store.models import Base


def test_migrated_schema_matches_the_models(store_url: str):
    migrate(store_url)  # already at head: a second run changes nothing
    engine = make_engine(store_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
