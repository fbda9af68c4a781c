"""The worker's outbox listener on a committed database: a committed publish is delivered
within moments (by the listener, no job queued), a rolled-back one never exists; events
published while nobody listened are queued as one delivery job per tenant when the listener
connects; a delivery the database fails is logged and left to the sweep."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from alertdesk.jobs.outbox_listener import deliver_tenants, listen
from alertdesk.jobs.worker import background
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.automation.events import TICKET_CLOSED, publish
from alertdesk.services.automation.outbox import DELIVER_TASK
from alertdesk.storage.database import Database
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


def _events(stack: Stack, tenant: uuid.UUID) -> tuple[int, int]:
    """The tenant's events: (all, delivered)."""
    rows = stack.sql(
        "select count(*), count(delivered_at) from event where tenant = :x", x=str(tenant)
    )
    return int(rows[0][0]), int(rows[0][1])


def _until(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_the_listener_delivers_committed_events_and_queues_the_missed_ones(stack: Stack) -> None:
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
            delivered = await asyncio.to_thread(_until, lambda: _events(stack, live) == (3, 3))
            assert delivered, "a committed publish is delivered by the listener"

    asyncio.run(scenario())
    assert (_jobs(stack, live), _jobs(stack, rolled_back), _jobs(stack, waiting)) == (0, 0, 1)
    assert _events(stack, rolled_back) == (0, 0)
    assert _events(stack, waiting) == (1, 0)  # left to its job


def test_a_delivery_the_database_fails_is_logged_and_the_listener_goes_on(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = _tenant(stack)
    url = stack.runtime.database.engine.url.set(database="alertdesk_no_such_database")
    gone = Database.from_url(url.render_as_string(hide_password=False))
    runtime = Runtime(stack.runtime.settings, gone, stack.runtime.vendor)
    with caplog.at_level(logging.ERROR, logger="alertdesk.jobs.outbox_listener"):
        deliver_tenants(runtime, [tenant, tenant])  # no exception: the sweep retries
    gone.dispose()
    said = [r.getMessage() for r in caplog.records if r.name == "alertdesk.jobs.outbox_listener"]
    assert said == [f"delivering the events of tenant {tenant} failed; the sweep retries"]
