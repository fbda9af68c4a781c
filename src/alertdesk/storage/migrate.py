"""Apply Alembic migrations programmatically (used by `migrate`, `init` and `serve`)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("alertdesk") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when already there."""
    command.upgrade(alembic_config(engine), "head")
