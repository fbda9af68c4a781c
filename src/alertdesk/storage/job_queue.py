"""Deferring a job inside the caller's transaction: the job row commits (and its worker is
notified) exactly when the change that needs it does — none for a rolled-back change, none
lost after a commit. Procrastinate runs it (see alertdesk.jobs)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

DEFER = text(
    "insert into procrastinate_jobs"
    " (queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at)"
    " values ('default', :task, 0, :lock, :queueing_lock, cast(:args as jsonb), :scheduled_at)"
    " on conflict (queueing_lock) where status = 'todo' do nothing"
)


def defer(
    session: Session,
    task: str,
    args: dict[str, Any],
    *,
    lock: str | None = None,
    queueing_lock: str | None = None,
    scheduled_at: datetime | None = None,
) -> None:
    """Queue `task(**args)`. `queueing_lock`: at most one such job waiting (a second defer is
    a no-op); `lock`: jobs sharing it run one at a time."""
    session.execute(
        DEFER,
        {
            "task": task,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(args),
            "scheduled_at": scheduled_at,
        },
    )
