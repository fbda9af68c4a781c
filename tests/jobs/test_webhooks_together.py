"""Webhook deliveries that arrive while the database threads are busy are taken together: one
transaction for several, each answered as if alone, every occurrence counted once. Needs a
database whose transactions really commit (the stack's), and senders on threads."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg

from alertdesk.web.webhooks import THREADS
from tests.jobs.conftest import Stack, new_msp
from tests.web.webhook_support import connect_ninja, deliver, payload

REPEATS = THREADS + 8


def test_deliveries_waiting_for_a_busy_condition_are_taken_together(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    condition = str(uuid.uuid4())

    def body() -> bytes:  # a new alert of the same condition
        changes = {"sourceConfigUid": condition, "seriesUid": str(uuid.uuid4())}
        return payload("ninjaone", "condition_triggered.json", **changes)

    first = deliver(stack.client, msp.integration, body()).json()
    assert first["outcome"] == "ticket_created", first

    url = stack.runtime.database.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as holder:
        # the condition's lock row held elsewhere: the first THREADS deliveries wait on it,
        # the rest wait for a thread
        holder.execute(
            "select 1 from alert_lock where tenant = %s for update", (msp.tenant,)
        ).fetchall()
        started = threading.Barrier(REPEATS + 1)

        def send(_: int) -> dict[str, object]:
            started.wait()
            answer: dict[str, object] = deliver(stack.client, msp.integration, body()).json()
            return answer

        with ThreadPoolExecutor(REPEATS) as senders:
            answers = senders.map(send, range(REPEATS))
            started.wait()
            time.sleep(1.0)  # all of them arrived: THREADS blocked, the rest queued
            holder.commit()
            outcomes = [(a["outcome"], a["ticket_id"]) for a in answers]

    assert outcomes == [("occurrence_appended", first["ticket_id"])] * REPEATS
    [(count,)] = stack.sql(
        "select occurrence_count from alert where tenant = :t and id = :a",
        t=msp.tenant, a=uuid.UUID(first["alert_id"]),
    )  # fmt: skip
    assert count == REPEATS + 1
    [(deliveries, writers)] = stack.sql(
        "select count(*), count(distinct xmin::text) from inbound_event where tenant = :t",
        t=msp.tenant,
    )
    assert deliveries == REPEATS + 1
    assert writers <= THREADS + 2  # the first, the THREADS that waited, then the rest together
