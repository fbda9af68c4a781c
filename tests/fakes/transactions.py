"""Guards "no vendor call inside a database transaction": a vendor transport that, on every
request, asks PostgreSQL whether a connection to the app's database is idle in a transaction,
and fails the call (recording it) if one is. Also: a fresh, migrated database that commits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import psycopg

from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade

OPEN_TRANSACTIONS = """
    select pid, state, left(query, 120) from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()
      and state like 'idle in transaction%'
"""


def migrated_database(make_database: Callable[[], str]) -> tuple[Database, str]:
    """A new database at the newest revision (its transactions really commit) and its URL."""
    url = make_database()
    database = Database.from_url(url)
    upgrade(database.engine)
    return database, url


def is_refresh_grant(request: httpx.Request) -> bool:
    """The one vendor call made on purpose inside a transaction: a refresh token is spent
    under the integration's row lock, because the vendor rotates it (see IntegrationClient)."""
    if request.url.path != "/ws/oauth/token":
        return False
    return parse_qs(request.content.decode()).get("grant_type") == ["refresh_token"]


class NoOpenTransaction:
    """Wraps a vendor handler; `checked` lists the calls checked, `violations` the bad ones."""

    def __init__(self, url: str, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self._conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        self._conn.autocommit = True
        self._lock = threading.Lock()
        self._handler = handler
        self.checked: list[str] = []
        self.violations: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        call = f"{request.method} {request.url.path}"
        if not is_refresh_grant(request):
            with self._lock:
                open_transactions = self._conn.execute(OPEN_TRANSACTIONS).fetchall()
            self.checked.append(call)
            if open_transactions:
                self.violations.append(f"{call} during {open_transactions}")
                raise AssertionError(f"vendor call {call} inside a transaction")
        return self._handler(request)

    def reset(self) -> None:
        self.checked.clear()
        self.violations.clear()

    def close(self) -> None:
        self._conn.close()
