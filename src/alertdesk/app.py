"""The composition root: create_app(settings) wires settings, database, routers and handlers."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError

from alertdesk import __version__
from alertdesk.errors import AlertdeskError, Conflict, InvalidField, NotFound, Unauthorized
from alertdesk.providers.address_guard import AddressGuard, Allowlist
from alertdesk.services.integrations import Vendor
from alertdesk.services.vault import Vault
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.web import api, health, ui, webhooks
from alertdesk.web.deps import LoginRequired
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
    app.middleware("http")(app.state.metrics.middleware)
    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(webhooks.router)
    app.include_router(ui.router)
    app.mount("/static", StaticFiles(directory=str(files("alertdesk") / "web" / "static")))
    _install_error_handlers(app)
    return app


def vendor_client(settings: Settings) -> httpx.Client:
    """The client for vendor APIs; multi-tenant installs guard it against non-public addresses
    (without environment proxies, which would resolve names out of the guard's sight)."""
    if not settings.block_private_vendor_addresses:
        return httpx.Client(timeout=VENDOR_TIMEOUT)
    guard = AddressGuard(httpx.HTTPTransport(), Allowlist(settings.vendor_address_allowlist))
    return httpx.Client(timeout=VENDOR_TIMEOUT, transport=guard, trust_env=False)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AlertdeskError)
    def domain_error(request: Request, exc: AlertdeskError) -> Response:
        if request.url.path.startswith("/ui"):
            return ui.error_page(request, exc)
        if isinstance(exc, InvalidField):
            loc = ["body", *exc.field.split(".")]
            detail = [{"loc": loc, "msg": exc.message, "type": "invalid"}]
            return JSONResponse({"detail": detail}, status_code=422)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return JSONResponse({"detail": exc.message}, exc.status_code, headers=headers)

    @app.exception_handler(IntegrityError)
    def integrity_error(request: Request, exc: IntegrityError) -> Response:
        """Two requests raced for the same unique value: the loser gets a clear 409."""
        conflict = Conflict(
            "This conflicts with a change made at the same moment; reload and retry."
        )
        return domain_error(request, conflict)

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired) -> Response:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = f"/ui/login?{urlencode({'next': here})}"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/ui"):
            first = exc.errors()[0] if exc.errors() else {}
            if first.get("loc", ("",))[0] == "path":  # /ui/tickets/not-an-id is just not there
                return ui.error_page(request, NotFound("There is no such page."))
            message = f"{'.'.join(str(p) for p in first.get('loc', ())[1:])}: {first.get('msg')}"
            return ui.error_page(request, InvalidField("form", message))
        return await request_validation_exception_handler(request, exc)


class RedactTokens(logging.Filter):
    """Keep `?token=<webhook secret>` out of the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_QUERY.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


TOKEN_IN_QUERY = re.compile(r"((?:^|[?&])token=)[^&\s]*")


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory alertdesk.app:create_app_from_env` (settings from env)."""
    settings = Settings()
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    database = Database.from_settings(settings)
    upgrade(database.engine)
    app = create_app(settings, database)
    app.state.owns_database = True
    return app
