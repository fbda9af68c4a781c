"""The Procrastinate app over a runtime: every task bound to it, the periodic ones from
schedule.py, retried with exponential backoff when they raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.jobs import Status

from alertdesk.jobs import tasks
from alertdesk.jobs.schedule import SCHEDULE
from alertdesk.runtime import Runtime
from alertdesk.services.automation.outbox import DELIVER_TASK
from alertdesk.services.huntress.poller import POLL_TASK as HUNTRESS_POLL_TASK
from alertdesk.services.integrations.outbound import RESET_TASK
from alertdesk.services.integrations.polling import POLL_TASK
from alertdesk.services.notifications.notify import SEND_TASK
from alertdesk.services.notifications.smtp import ATTEMPTS as EMAIL_ATTEMPTS
from alertdesk.services.workflows.runs import RUN_TASK

# retried after 5 s, 25 s, 2 min, 10 min, 52 min, 4.3 h: a vendor down for an afternoon is
# still caught up
RESETS_RETRY = RetryStrategy(max_attempts=6, exponential_wait=5)

# a mail server down for a while: 5 s, 25 s, 2 min, 10 min (then the message is marked failed)
EMAIL_RETRY = RetryStrategy(max_attempts=EMAIL_ATTEMPTS, exponential_wait=5)

QUEUED: dict[str, tuple[Callable[..., None], RetryStrategy | None]] = {
    DELIVER_TASK: (tasks.deliver_events, None),  # the outbox sweep is its retry
    RESET_TASK: (tasks.reset_ticket_alerts, RESETS_RETRY),
    POLL_TASK: (tasks.poll_integration, None),  # the next cycle is the retry
    HUNTRESS_POLL_TASK: (tasks.poll_huntress, None),
    RUN_TASK: (tasks.run_workflow, None),  # resumes at its first unrecorded step if stalled
    SEND_TASK: (tasks.send_email, EMAIL_RETRY),
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
    _recover_stalled_jobs(app)
    return app


def _recover_stalled_jobs(app: App) -> None:
    """Jobs left `doing` by a worker that died (no heartbeat) are run again — or, when a copy
    of the job already waits (its queueing lock), closed as failed."""

    @app.periodic(cron="*/5 * * * *", periodic_id="recover_stalled_jobs")
    @app.task(name="recover_stalled_jobs")
    async def recover_stalled_jobs(timestamp: int) -> None:
        for job in await app.job_manager.get_stalled_jobs():
            assert job.id is not None
            try:
                await app.job_manager.retry_job(job)
            except Exception:
                await app.job_manager.finish_job_by_id_async(job.id, Status.FAILED, False)


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
