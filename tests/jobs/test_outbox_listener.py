"""The worker's outbox listener on a committed database: a committed publish is queued as one
delivery job for its tenant within moments, a rolled-back one never; events published while
nobody listened are queued when the listener connects."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from alertdesk.jobs.outbox_listener import listen
from alertdesk.jobs.worker import background
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.automation.events import TICKET_CLOSED, publish
from alertdesk.services.automation.outbox import DELIVER_TASK
from tests.jobs.conftest import Stack


def _tenant(stack: Stack) -> uuid.UUID:
    with stack.runtime.database.transaction() as session:
        tenant, _ = create_tenant(session, f"L {uuid.uuid4().hex[:6]}", "l@example.com", "x" * 12)
        return tenant.tenant


def _publish(stack: Stack, tenant: uuid.UUID) -> None:
    with stack.runtime.database.transaction() as session:
        publish(session, tenant, TICKET_CLOSED, {}, datetime.now(UTC))


def _publish_and_roll_back(stack: Stack, tenant: uuid.UUID) -> None:
    with stack.runtime.database.transaction() as session:
        publish(session, tenant, TICKET_CLOSED, {}, datetime.now(UTC))
        session.flush()
        session.rollback()


def _jobs(stack: Stack, tenant: uuid.UUID) -> int:
    rows = stack.sql(
        "select count(*) from procrastinate_jobs where task_name = :t and args->>'tenant' = :x"
        " and status = 'todo'",
        t=DELIVER_TASK,
        x=str(tenant),
    )
    return int(rows[0][0])


def _until(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_the_listener_queues_committed_events_only(stack: Stack) -> None:
    waiting, rolled_back, live = _tenant(stack), _tenant(stack), _tenant(stack)
    stack.sql("delete from procrastinate_jobs")
    _publish(stack, waiting)  # before anyone listens
    assert _jobs(stack, waiting) == 0  # nothing is queued inside the publishing transaction

    async def scenario() -> None:
        async with background(listen(stack.runtime)):
            connected = await asyncio.to_thread(_until, lambda: _jobs(stack, waiting) == 1)
            assert connected, "undelivered events are queued when the listener connects"
            await asyncio.to_thread(_publish_and_roll_back, stack, rolled_back)
            for _ in range(3):
                await asyncio.to_thread(_publish, stack, live)
            queued = await asyncio.to_thread(_until, lambda: _jobs(stack, live) == 1)
            assert queued, "a committed publish is queued for its tenant"

    asyncio.run(scenario())
    assert (_jobs(stack, live), _jobs(stack, rolled_back), _jobs(stack, waiting)) == (1, 0, 1)
