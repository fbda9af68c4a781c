"""Every periodic job in one table: what runs, how often (cron; a sixth field is seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    task: str
    cron: str
    does: str


SCHEDULE = (
    Periodic(
        "queue_polls",
        "* * * * *",
        "queue the due polls: NinjaOne/Tactical reconciliation, Huntress incidents",
    ),
    Periodic(
        "retry_deliveries",
        "* * * * * */30",
        "process again webhook deliveries that failed (backoff 15 s * 2^attempts; dead after 10)",
    ),
    Periodic("sweep_outbox", "* * * * *", "queue delivery of events whose delivery job was lost"),
    Periodic("prune_deliveries", "17 3 * * *", "delete webhook deliveries past their retention"),
    # and every 5 minutes, recover_stalled_jobs (jobs/app.py): jobs of a worker that died
)
