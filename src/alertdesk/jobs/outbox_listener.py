"""The job worker's ear for the event outbox: LISTEN on outbox.CHANNEL and deliver the notified
tenants' events at once, in a thread (a `deliver_events` job per batch cost more CPU than the
delivery itself). On every (re)connect a delivery job is queued for each tenant with
undelivered events, so what was published meanwhile does not wait for the sweep; a delivery
that fails here is left to the sweep too."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

import psycopg

from alertdesk.jobs.app import conninfo
from alertdesk.jobs.consumers import consumers
from alertdesk.runtime import Runtime
from alertdesk.services.automation import outbox

GATHER_SECONDS = 0.05  # notices arriving this close together are delivered together
RECONNECT_SECONDS = 5.0
log = logging.getLogger(__name__)


def deliver_tenants(runtime: Runtime, tenants: Iterable[uuid.UUID]) -> None:
    """Each tenant's undelivered events, tenant by tenant (one failing leaves the others)."""
    acting = consumers(runtime.settings)
    for tenant in sorted(set(tenants)):
        try:
            outbox.deliver_pending(runtime.database, tenant, acting, runtime.now())
        except Exception:  # the database went away mid-way: the sweep queues it again
            log.exception("delivering the events of tenant %s failed; the sweep retries", tenant)


def queue_undelivered(runtime: Runtime) -> int:
    with runtime.database.transaction() as session:
        return outbox.requeue_stragglers(session, runtime.now(), age=timedelta(0))


def _tenant(payload: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(payload)
    except ValueError:  # anyone who can reach the database can NOTIFY: ignore the rest
        return None


async def listen(runtime: Runtime) -> None:
    """Until cancelled; a lost connection is opened again."""
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                conninfo(runtime), autocommit=True
            ) as conn:
                await conn.execute(f"LISTEN {outbox.CHANNEL}")
                await asyncio.to_thread(queue_undelivered, runtime)
                while True:
                    first = [n.payload async for n in conn.notifies(stop_after=1)]
                    more = [n.payload async for n in conn.notifies(timeout=GATHER_SECONDS)]
                    tenants = [t for t in map(_tenant, first + more) if t is not None]
                    if tenants:
                        await asyncio.to_thread(deliver_tenants, runtime, tenants)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the outbox listener stopped; reconnecting in %s s", RECONNECT_SECONDS)
            await asyncio.sleep(RECONNECT_SECONDS)
