"""Apply Alembic migrations programmatically (used by `migrate`, `init` and `serve`), and
distribute a schema migrated before Citus was installed (`migrate --distribute`)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from alertdesk.errors import Conflict
from alertdesk.storage import distribution


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("alertdesk") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when already there."""
    command.upgrade(alembic_config(engine), "head")


def awaiting_distribution(engine: Engine) -> list[str]:
    """Tables Citus would shard or replicate but does not yet: empty on plain PostgreSQL."""
    with engine.connect() as connection:
        if not distribution.citus_installed(connection):
            return []
        return distribution.undistributed_tables(connection)


def distribute(engine: Engine) -> list[str]:
    """Distribute every table not yet distributed, data included, in one transaction."""
    with engine.begin() as connection:
        if not distribution.citus_installed(connection):
            raise Conflict(
                "The citus extension is not installed in this database: run"
                " `create extension citus` on every node first (docs/scaling.md)."
            )
        return distribution.distribute_existing(connection)
