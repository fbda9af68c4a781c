"""Alembic environment: runs against the engine handed in by alertdesk.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from alertdesk.migrations.tables import ours
from alertdesk.settings import Settings
from alertdesk.storage import distribution
from alertdesk.storage.database import Database
from alertdesk.storage.models import Base

MIGRATION_LOCK = 0x616C6572  # advisory lock id: concurrent `init`/`serve` migrate one at a time


def _engine() -> Engine:
    """The engine handed in by alertdesk, else (the alembic CLI) one from ALERTDESK_DATABASE_URL."""
    engine: Engine | None = context.config.attributes.get("engine")
    if engine is None:
        url = Settings().database_url
        if not url:
            raise SystemExit("Set ALERTDESK_DATABASE_URL to run alembic directly.")
        engine = Database.from_url(url).engine
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        connection.execute(text("select pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                compare_type=True,
                include_name=ours,
            )
            with context.begin_transaction():
                if distribution.citus_installed(connection):
                    distribution.use_sequential_mode(connection)
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(text("select pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()


run_migrations_online()
