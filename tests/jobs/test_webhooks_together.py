"""Webhook deliveries that arrive while the database threads are busy are taken together: one
transaction for several, each answered as if alone, every occurrence counted once; when one of
them fails, each goes alone. Needs a database whose transactions really commit (the stack's),
and senders on threads."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg

from alertdesk.web.webhooks import THREADS
from tests.jobs.conftest import Msp, Stack, new_msp
from tests.web.webhook_support import connect_ninja, deliver, payload

Answer = dict[str, Any]


def new_alert(stack: Stack, msp: Msp, condition: str) -> Callable[[], Answer]:
    """Sends a new alert of the condition; returns the answer."""

    def send() -> Answer:
        changes = {"sourceConfigUid": condition, "seriesUid": str(uuid.uuid4())}
        body = payload("ninjaone", "condition_triggered.json", **changes)
        answer: Answer = deliver(stack.client, msp.integration, body).json()
        return answer

    return send


def metric(stack: Stack, name: str) -> float:
    lines = stack.client.get("/metrics").text.splitlines()
    return float(next(line.split()[-1] for line in lines if line.startswith(f"{name} ")))


WAITING = "select count(*) from pg_stat_activity where datname = current_database()" \
          " and wait_event_type = 'Lock'"  # fmt: skip


@contextmanager
def lock_rows_held(stack: Stack, msp: Msp) -> Iterator[Callable[[int], None]]:
    """Every lock row of the tenant held by another transaction until the block ends; yields
    a wait until that many transactions wait on a lock."""
    url = stack.runtime.database.engine.url.set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as holder, psycopg.connect(conninfo, autocommit=True) as watch:
        holder.execute("select 1 from alert_lock where tenant = %s for update", (msp.tenant,))

        def wait_for(waiting: int) -> None:
            for _ in range(200):
                if (row := watch.execute(WAITING).fetchone()) and row[0] >= waiting:
                    return
                time.sleep(0.05)
            raise AssertionError(f"fewer than {waiting} transactions wait on a lock")

        yield wait_for
        holder.commit()


def while_threads_busy(
    stack: Stack, msp: Msp, busy: Callable[[], Answer], queued: list[Callable[[], Answer]]
) -> tuple[list[Answer], list[Answer]]:
    """THREADS deliveries by `busy` wait, one per database thread, on the tenant's lock rows;
    `queued` are sent meanwhile and wait for a thread. The answers of both, in order."""
    with ThreadPoolExecutor(THREADS + len(queued)) as senders:
        with lock_rows_held(stack, msp) as wait_for:
            first: list[Future[Answer]] = []
            for waiting in range(1, THREADS + 1):
                first.append(senders.submit(busy))
                wait_for(waiting)  # taken alone by a thread of its own, which then waits
            then = [senders.submit(send) for send in queued]
            time.sleep(1.0)  # these have arrived and wait for a thread
        return [f.result() for f in first], [f.result() for f in then]


def delivery_writers(stack: Stack, msp: Msp) -> tuple[int, int]:
    """The tenant's stored deliveries, and the transactions that wrote them."""
    [(count, writers)] = stack.sql(
        "select count(*), count(distinct xmin::text) from inbound_event where tenant = :t",
        t=msp.tenant,
    )
    return count, writers


def test_deliveries_waiting_for_a_thread_are_taken_together(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    send = new_alert(stack, msp, str(uuid.uuid4()))
    first = send()
    assert first["outcome"] == "ticket_created", first
    before = metric(stack, "alertdesk_webhook_deliveries_per_transaction_count")

    busy, queued = while_threads_busy(stack, msp, send, [send] * 8)

    appended = ("occurrence_appended", first["ticket_id"])
    assert [(a["outcome"], a["ticket_id"]) for a in busy + queued] == [appended] * (THREADS + 8)
    [(count,)] = stack.sql(
        "select occurrence_count from alert where tenant = :t and id = :a",
        t=msp.tenant, a=uuid.UUID(first["alert_id"]),
    )  # fmt: skip
    assert count == 1 + THREADS + 8
    assert delivery_writers(stack, msp) == (1 + THREADS + 8, 1 + THREADS + 1)
    transactions = metric(stack, "alertdesk_webhook_deliveries_per_transaction_count")
    assert transactions - before == THREADS + 1


def test_one_failing_delivery_sends_the_others_alone_and_each_is_answered(stack: Stack) -> None:
    msp, other = new_msp(stack, connect_ninja), new_msp(stack, connect_ninja)
    stack.sql(  # processing raises for the other MSP's deliveries
        'update integration set settings = \'{"default_severity": "apocalyptic"}\''
        " where tenant = :t",
        t=other.tenant,
    )
    send = new_alert(stack, msp, str(uuid.uuid4()))
    assert send()["outcome"] == "ticket_created"  # the lock rows exist
    retried = metric(stack, "alertdesk_webhook_retried_alone_total")

    failing = new_alert(stack, other, str(uuid.uuid4()))
    _, queued = while_threads_busy(stack, msp, send, [send, failing, send])

    assert [a.get("outcome", a.get("queued")) for a in queued] == [
        "occurrence_appended", True, "occurrence_appended"]  # fmt: skip
    assert metric(stack, "alertdesk_webhook_retried_alone_total") == retried + 1
    assert delivery_writers(stack, msp) == (1 + THREADS + 2, 1 + THREADS + 2)
    assert delivery_writers(stack, other) == (1, 1)
    [(status,)] = stack.sql("select status from inbound_event where tenant = :t", t=other.tenant)
    assert status == "failed"
