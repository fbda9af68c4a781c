"""The Procrastinate app over a runtime: every task bound to it, the periodic ones from
schedule.py, retried with exponential backoff when they raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from procrastinate import App, PsycopgConnector, RetryStrategy

from alertdesk.jobs import tasks
from alertdesk.jobs.schedule import SCHEDULE
from alertdesk.runtime import Runtime
from alertdesk.services.automation.outbox import DELIVER_TASK
from alertdesk.services.integrations.outbound import RESET_TASK
from alertdesk.services.integrations.polling import POLL_TASK

# 5, 25, 125 s … ~5 h after the first try: a vendor down for an afternoon is still caught up
RESETS_RETRY = RetryStrategy(max_attempts=8, exponential_wait=5)
DELIVERY_RETRY = RetryStrategy(max_attempts=10, exponential_wait=3)

QUEUED: dict[str, tuple[Callable[..., None], RetryStrategy | None]] = {
    DELIVER_TASK: (tasks.deliver_events, DELIVERY_RETRY),
    RESET_TASK: (tasks.reset_ticket_alerts, RESETS_RETRY),
    POLL_TASK: (tasks.poll_integration, None),  # the next cycle is the retry
}
PERIODIC: dict[str, Callable[[Runtime], None]] = {
    "queue_polls": tasks.queue_polls,
    "retry_deliveries": tasks.retry_deliveries,
    "sweep_outbox": tasks.sweep_outbox,
    "prune_deliveries": tasks.prune_deliveries,
}


def conninfo(runtime: Runtime) -> str:
    """The runtime's database as a libpq URL (the embedded server's socket included)."""
    url = runtime.database.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def build_job_app(runtime: Runtime) -> App:
    app = App(connector=PsycopgConnector(conninfo=conninfo(runtime)))
    for name, (body, retry) in QUEUED.items():
        app.task(name=name, retry=retry or False)(_bound(runtime, body))
    for periodic in SCHEDULE:
        body = PERIODIC[periodic.task]
        task = app.task(name=periodic.task)(_bound_periodic(runtime, body))
        app.periodic(cron=periodic.cron, periodic_id=periodic.task)(task)
    return app


def _bound(runtime: Runtime, body: Callable[..., None]) -> Callable[..., None]:
    def run(**kwargs: Any) -> None:
        body(runtime, **kwargs)

    run.__name__ = body.__name__
    return run


def _bound_periodic(runtime: Runtime, body: Callable[[Runtime], None]) -> Callable[[int], None]:
    def run(timestamp: int) -> None:  # procrastinate passes the scheduled time
        body(runtime)

    run.__name__ = body.__name__
    return run
