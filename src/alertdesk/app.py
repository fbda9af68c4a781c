"""The composition root: create_app(settings) wires settings, database, routers and handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

import httpx
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from alertdesk import __version__
from alertdesk.providers.address_guard import AddressGuard, Allowlist
from alertdesk.services.integrations.connect import Vendor
from alertdesk.services.integrations.vault import Vault
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.web import api, error_handlers, health, ui, webhooks
from alertdesk.web.access_log import RedactQueryValues
from alertdesk.web.input_guard import refuse_unstorable_text
from alertdesk.web.outage import OutageLog
from alertdesk.web.session_cookie import SessionCodec

VENDOR_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    if app.state.owns_database:
        app.state.database.dispose()
        app.state.vendor.http.close()


def create_app(settings: Settings, database: Database, http: httpx.Client | None = None) -> FastAPI:
    """`http` is the client for vendor APIs (tests pass one with a fake transport)."""
    app = FastAPI(title="alertdesk", version=__version__, lifespan=lifespan)
    app.state.owns_database = False
    app.state.settings = settings
    app.state.database = database
    secret_key = settings.resolved_secret_key()
    app.state.session_codec = SessionCodec(secret_key, settings.session_max_age_seconds)
    app.state.vendor = Vendor(http or vendor_client(settings), Vault(secret_key))
    app.state.metrics = health.HttpMetrics()
    app.state.outage = OutageLog()
    app.middleware("http")(app.state.metrics.middleware)
    app.include_router(health.router)
    guarded = [Depends(refuse_unstorable_text)]
    app.include_router(api.router, dependencies=guarded)
    app.include_router(webhooks.router)
    app.include_router(ui.router, dependencies=guarded)
    app.mount("/static", StaticFiles(directory=str(files("alertdesk") / "web" / "static")))
    error_handlers.install(app)
    return app


def vendor_client(settings: Settings) -> httpx.Client:
    """The client for vendor APIs; multi-tenant installs guard it against non-public addresses
    (without environment proxies, which would resolve names out of the guard's sight)."""
    if not settings.block_private_vendor_addresses:
        return httpx.Client(timeout=VENDOR_TIMEOUT)
    guard = AddressGuard(httpx.HTTPTransport(), Allowlist(settings.vendor_address_allowlist))
    return httpx.Client(timeout=VENDOR_TIMEOUT, transport=guard, trust_env=False)


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory alertdesk.app:create_app_from_env` (settings from env)."""
    settings = Settings()
    logging.getLogger("uvicorn.access").addFilter(RedactQueryValues())
    database = Database.from_settings(settings)
    upgrade(database.engine)
    app = create_app(settings, database)
    app.state.owns_database = True
    return app
