"""What the job queue holds: counts per task and status, and the latest failures (for
`alertdesk jobs`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

COUNTS = text(
    "select task_name, status::text, count(*) from procrastinate_jobs group by 1, 2 order by 1, 2"
)
FAILED = text(
    "select j.id, j.task_name, j.args::text, j.attempts, max(e.at)"
    " from procrastinate_jobs j left join procrastinate_events e on e.job_id = j.id"
    " where j.status = 'failed' group by j.id order by max(e.at) desc nulls last limit :limit"
)
RETRYING = text(
    "select id, task_name, args::text, attempts, scheduled_at from procrastinate_jobs"
    " where status = 'todo' and attempts > 0 order by scheduled_at limit :limit"
)


@dataclass(frozen=True)
class JobRow:
    id: int
    task: str
    args: str
    attempts: int
    at: datetime | None  # failed: when; retrying: when it runs next


def counts(session: Session) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for task, status, n in session.execute(COUNTS):
        found.setdefault(task, {})[status] = n
    return found


def failed(session: Session, limit: int = 20) -> list[JobRow]:
    return [JobRow(*row) for row in session.execute(FAILED, {"limit": limit})]


def retrying(session: Session, limit: int = 20) -> list[JobRow]:
    return [JobRow(*row) for row in session.execute(RETRYING, {"limit": limit})]
