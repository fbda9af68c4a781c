"""Reconciliation on the schedule: due integrations are queued once each, the worker runs the
cycle, and two cycles of one integration never run at once (two workers, or a worker and
"Poll now")."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from alertdesk.errors import Conflict
from alertdesk.runtime import run_in_transaction
from alertdesk.services.integrations.poll_lease import LEASE, release_lease, take_lease
from alertdesk.services.integrations.polling import POLL_TASK, PollResult, poll, queue_due_polls
from alertdesk.testing.fakes import fixture
from tests.jobs.conftest import Msp, Stack, new_msp
from tests.web.webhook_support import connect_ninja, connect_tactical


def ninja_alert(uid: str) -> dict[str, Any]:
    item: dict[str, Any] = dict(fixture("ninjaone", "alerts_list.json")[0])
    return item | {"uid": uid, "deviceId": 7, "createTime": datetime.now(UTC).timestamp()}


def queued_polls(stack: Stack) -> list[str]:
    rows = stack.sql(
        "select args->>'integration_id' from procrastinate_jobs"
        " where task_name = :t and status = 'todo' order by id",
        t=POLL_TASK,
    )
    return [row[0] for row in rows]


def set_polling(stack: Stack, msp: Msp, **polling: Any) -> None:
    url = f"/api/v1/integrations/{msp.integration.id}"
    body = {"settings": {"polling": polling}}
    assert stack.client.patch(url, json=body, headers=msp.headers).status_code == 200


def test_due_integrations_are_queued_once_each(stack: Stack) -> None:
    stack.sql("delete from procrastinate_jobs")
    stack.sql("update integration set is_active = false")  # other tests' integrations
    due, off, recent = (new_msp(stack, connect_ninja) for _ in range(3))
    set_polling(stack, off, enabled=False)
    now = datetime.now(UTC)
    stack.sql(
        "update integration set last_poll_at = :at where id = :id",
        at=now - timedelta(minutes=5),
        id=recent.integration.id,
    )
    database = stack.runtime.database
    assert run_in_transaction(database, lambda s: queue_due_polls(s, now)) == 1
    run_in_transaction(database, lambda s: queue_due_polls(s, now))  # a second tick
    assert queued_polls(stack) == [due.integration.id]  # still one waiting job
    later = now + timedelta(minutes=11)  # recent: due 15 minutes after its last poll
    run_in_transaction(database, lambda s: queue_due_polls(s, later))
    assert queued_polls(stack) == [due.integration.id, recent.integration.id]


def test_the_worker_runs_the_cycle(stack: Stack) -> None:
    stack.sql("delete from procrastinate_jobs")
    msp = new_msp(stack, connect_tactical)
    stack.vendors.tactical.alerts = [dict(a) for a in fixture("tacticalrmm", "alerts_list.json")]
    database = stack.runtime.database
    run_in_transaction(database, lambda s: queue_due_polls(s, datetime.now(UTC)))
    stack.work()
    alerts = stack.client.get("/api/v1/alerts", headers=msp.headers).json()
    assert {a["external_alert_id"] for a in alerts} >= {"1423", "1424"}
    assert all(a["ingest_source"] == "poll" for a in alerts)
    shown = stack.client.get(f"/api/v1/integrations/{msp.integration.id}", headers=msp.headers)
    assert shown.json()["last_poll_at"] is not None


def test_two_cycles_of_one_integration_never_overlap(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    tenant, integration = msp.tenant, uuid.UUID(msp.integration.id)
    stack.vendors.ninjaone.alerts = [ninja_alert(f"overlap-{uuid.uuid4()}")]
    stack.vendors.ninjaone.alerts_gate = gate = threading.Event()
    results: list[PollResult | Exception] = []

    def cycle() -> None:
        try:
            results.append(
                poll(stack.runtime.database, stack.runtime.vendor, tenant, integration,
                     datetime.now(UTC))
            )  # fmt: skip
        except Exception as exc:
            results.append(exc)

    first = threading.Thread(target=cycle)
    first.start()
    try:
        for _ in range(100):  # until the first cycle waits on the vendor
            if stack.vendors.ninjaone.paths("GET").count("/v2/alerts"):
                break
            threading.Event().wait(0.05)
        cycle()  # a second worker, meanwhile
    finally:
        gate.set()
        first.join(timeout=20)
        stack.vendors.ninjaone.alerts_gate = None
    busy, done = results
    assert isinstance(busy, Conflict)
    assert "already running" in busy.message
    assert isinstance(done, PollResult)
    assert done.created == 1
    assert isinstance(poll(stack.runtime.database, stack.runtime.vendor, tenant, integration,
                           datetime.now(UTC)), PollResult)  # the lease was released  # fmt: skip


def test_a_cycle_whose_lease_ran_out_does_not_end_the_next_cycles_lease(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    database, now = stack.runtime.database, datetime.now(UTC)
    with database.transaction() as session:
        first = take_lease(session, msp.tenant, uuid.UUID(msp.integration.id), now)
    later = now + LEASE + timedelta(seconds=1)  # the first cycle overran its lease
    with database.transaction() as session:
        second = take_lease(session, msp.tenant, uuid.UUID(msp.integration.id), later)
    with database.transaction() as session:
        release_lease(session, msp.tenant, uuid.UUID(msp.integration.id), first)
    rows = stack.sql("select poll_lease_until from integration where id = :i", i=msp.integration.id)
    assert rows[0][0] == second.poll_lease_until
