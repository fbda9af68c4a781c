"""The runtime every entry point shares — the web app, the CLI and (next) the worker: settings,
the database, the vendor client and the clock, built once; and run_in_transaction for edges."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from sqlalchemy.orm import Session

from alertdesk.providers.address_guard import AddressGuard, Allowlist
from alertdesk.services.integrations.records import Vendor
from alertdesk.services.integrations.vault import Vault
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade

VENDOR_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
T = TypeVar("T")


def freeze_startup_objects() -> None:
    """Leave what a process built to start (modules, mapped classes, statements, templates:
    150,000 objects and more) out of the garbage collector's full passes, which otherwise scan
    it all each time: a 100-150 ms pause, with every request of the process waiting. Called
    once the process serves; garbage is collected first, so none is kept."""
    gc.collect()
    gc.freeze()


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    database: Database
    vendor: Vendor
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def build(
        cls, settings: Settings, database: Database, http: httpx.Client | None = None
    ) -> Runtime:
        """Around a given database; `http` is the vendor client (tests pass a fake transport)."""
        vault = Vault(settings.resolved_secret_key())
        return cls(settings, database, Vendor(http or vendor_client(settings), vault))

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """The configured (or embedded) database, migrated; close() releases it."""
        database = Database.from_settings(settings)
        try:
            upgrade(database.engine)
        except Exception:
            database.dispose()
            raise
        return cls.build(settings, database)

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        self.vendor.http.close()
        self.database.dispose()


def vendor_client(settings: Settings) -> httpx.Client:
    """The client for vendor APIs; multi-tenant installs guard it against non-public addresses
    (without environment proxies, which would resolve names out of the guard's sight)."""
    if not settings.block_private_vendor_addresses:
        return httpx.Client(timeout=VENDOR_TIMEOUT)
    guard = AddressGuard(httpx.HTTPTransport(), Allowlist(settings.vendor_address_allowlist))
    return httpx.Client(timeout=VENDOR_TIMEOUT, transport=guard, trust_env=False)


def run_in_transaction(database: Database, fn: Callable[[Session], T]) -> T:
    """`fn` in one short transaction of its own: committed when it returns, else rolled back."""
    with database.transaction() as session:
        return fn(session)
