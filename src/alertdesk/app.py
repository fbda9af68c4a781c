"""The composition root of the web app: create_app(runtime) wires routers and handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from alertdesk import __version__
from alertdesk.jobs.worker import in_process_worker
from alertdesk.runtime import Runtime
from alertdesk.settings import Settings
from alertdesk.web import api, error_handlers, health, ui, webhooks
from alertdesk.web.access_log import RedactQueryValues
from alertdesk.web.input_guard import refuse_unstorable_text
from alertdesk.web.outage import OutageLog
from alertdesk.web.session_cookie import SessionCodec


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    try:
        if app.state.runs_worker:
            async with in_process_worker(app.state.runtime):
                yield
        else:
            yield
    finally:
        if app.state.owns_runtime:
            app.state.runtime.close()


def create_app(runtime: Runtime) -> FastAPI:
    """The web app over a runtime (tests build theirs with Runtime.build and a fake vendor)."""
    app = FastAPI(title="alertdesk", version=__version__, lifespan=lifespan)
    app.state.owns_runtime = app.state.runs_worker = False
    app.state.runtime = runtime
    secret_key = runtime.settings.resolved_secret_key()
    app.state.session_codec = SessionCodec(secret_key, runtime.settings.session_max_age_seconds)
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


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory alertdesk.app:create_app_from_env` (settings from env)."""
    logging.getLogger("uvicorn.access").addFilter(RedactQueryValues())
    settings = Settings()
    app = create_app(Runtime.from_settings(settings))
    app.state.owns_runtime = True
    app.state.runs_worker = settings.serve_worker
    return app
