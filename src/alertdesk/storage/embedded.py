"""Embedded PostgreSQL (pgserver) in the data dir, for installs without ALERTDESK_DATABASE_URL."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import psycopg

log = logging.getLogger(__name__)

DATABASE_NAME = "alertdesk"


def start_embedded(data_dir: Path) -> tuple[str, Any]:
    """Start (or join) the server in `data_dir/postgres`; return (SQLAlchemy URL, handle).

    pgserver reference-counts the processes using a data dir and stops the server
    when the last one exits, so `init`, `serve` and `migrate` can share it.
    """
    with warnings.catch_warnings():  # pgserver warns about XDG_RUNTIME_DIR on headless hosts
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: it is only needed for the embedded mode

    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    admin_uri: str = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{DATABASE_NAME}"')
    log.info("embedded PostgreSQL running in %s", pgdata)
    return sqlalchemy_url(server.get_uri(database=DATABASE_NAME)), server


def sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for a plain postgresql:// URL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
