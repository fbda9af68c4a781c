"""Alembic environment: runs against the engine handed in by alertdesk.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from alertdesk.storage.models import Base

MIGRATION_LOCK = 0x616C6572  # advisory lock id: concurrent `init`/`serve` migrate one at a time


def run_migrations_online() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        connection.execute(text("select pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        connection.commit()
        try:
            context.configure(
                connection=connection, target_metadata=Base.metadata, compare_type=True
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(text("select pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()


run_migrations_online()
