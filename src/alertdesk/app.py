"""The composition root of the web app: create_app(runtime) wires routers and handlers."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from importlib.resources import files
from pathlib import Path
from typing import IO

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from alertdesk import __version__
from alertdesk.jobs.worker import in_process_worker
from alertdesk.runtime import Runtime, freeze_startup_objects
from alertdesk.settings import Settings
from alertdesk.web import api, error_handlers, health, ui, webhooks
from alertdesk.web.access_log import RedactQueryValues
from alertdesk.web.input_guard import refuse_unstorable_text
from alertdesk.web.outage import OutageLog
from alertdesk.web.session_cookie import SessionCodec


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    worker = in_process_worker(app.state.runtime) if app.state.runs_worker else nullcontext()
    try:
        async with worker:
            if app.state.owns_runtime:  # a server's process (a test's app shares its process)
                freeze_startup_objects()
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
    # webhooks are answered ahead of the framework (webhooks.py), inside the request metrics
    app.add_middleware(
        webhooks.WebhookRoute, runtime=runtime, outage=app.state.outage, metrics=app.state.metrics
    )
    app.add_middleware(health.MeteredApp, metrics=app.state.metrics)
    app.include_router(health.router)
    guarded = [Depends(refuse_unstorable_text)]
    app.include_router(api.router, dependencies=guarded)
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
    app.state.worker_lock = worker_lock(settings.data_dir) if settings.serve_worker else None
    app.state.runs_worker = app.state.worker_lock is not None
    return app


def worker_lock(folder: Path) -> IO[str] | None:
    """The host's job-worker lock, when this process is the first to take it: of several web
    processes (`serve --workers N`) only one runs the in-process job worker. Held while the
    returned file stays open; released by the operating system when the process ends."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = (folder / "serve-worker.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
