"""Running the job worker: standalone (`alertdesk worker`, several at once on any machines
against one database) or inside the web process (`alertdesk serve`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from procrastinate import App

from alertdesk.jobs.app import build_job_app
from alertdesk.jobs.outbox_listener import listen
from alertdesk.runtime import Runtime, freeze_startup_objects

# on SIGTERM a worker stops taking jobs and lets running ones finish for this long; jobs that
# succeed are deleted at once, failed ones are kept for `alertdesk jobs`
GRACEFUL_SECONDS = 30.0
RESTART_SECONDS = 10.0
log = logging.getLogger(__name__)


def worker_name(role: str) -> str:
    return f"{role}@{socket.gethostname()}"


async def _keep_working(app: App) -> None:
    """The web process keeps its worker: one that stops on an error (the database went away)
    is started again, so jobs do not silently stop while the pages still answer."""
    while True:
        try:
            await app.run_worker_async(
                name=worker_name("serve"),
                install_signal_handlers=False,
                shutdown_graceful_timeout=GRACEFUL_SECONDS,
                delete_jobs="successful",
            )
            return
        except Exception:
            log.exception("the job worker stopped; starting it again in %s s", RESTART_SECONDS)
            await asyncio.sleep(RESTART_SECONDS)


def run_worker(runtime: Runtime, concurrency: int) -> None:
    """Work until SIGINT/SIGTERM; each of the `concurrency` jobs runs in its own thread."""
    asyncio.run(_standalone(runtime, concurrency))


async def _standalone(runtime: Runtime, concurrency: int) -> None:
    app = build_job_app(runtime)
    async with app.open_async(), background(listen(runtime)):
        freeze_startup_objects()
        await app.run_worker_async(
            concurrency=concurrency,
            name=worker_name("worker"),
            shutdown_graceful_timeout=GRACEFUL_SECONDS,
            delete_jobs="successful",
        )


@contextlib.asynccontextmanager
async def in_process_worker(runtime: Runtime) -> AsyncIterator[None]:
    """One worker beside the web app for as long as the block runs (the server owns signals)."""
    app = build_job_app(runtime)
    async with app.open_async(), background(listen(runtime)), background(_keep_working(app)):
        yield


@contextlib.asynccontextmanager
async def background(work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """`work` runs as a task for as long as the block runs; cancelled when it ends."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
