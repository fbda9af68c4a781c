"""T021-T023 through the real worker: a person closing a ticket (API) queues the RMM reset
(outbox → consumer → reset job) and a Procrastinate worker sends it to the fake vendor; a
failure is stamped and retried with backoff, the close stands; the pipeline's own auto-close
and opted-out rules reset nothing. The worker really runs (conftest.py)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from alertdesk.jobs.app import build_job_app
from tests.jobs.conftest import Msp, Stack, new_msp
from tests.web.api_helpers import Json, default_board, status_id
from tests.web.webhook_support import (
    connect_ninja,
    connect_tactical,
    deliver,
    payload,
)

SERIES = "e6b0b0bd-5753-445d-9e4a-71c08983cbd5"  # the fixture trigger's seriesUid


def close(stack: Stack, msp: Msp, ticket_id: str) -> None:
    closed = status_id(default_board(stack.client, msp.headers), "Closed")
    url = f"/api/v1/tickets/{ticket_id}"
    response = stack.client.patch(url, json={"status_id": closed}, headers=msp.headers)
    assert response.status_code == 200, response.text


def alert_of(stack: Stack, msp: Msp, alert_id: str) -> Json:
    response = stack.client.get(f"/api/v1/alerts/{alert_id}", headers=msp.headers)
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


def trigger(
    stack: Stack,
    msp: Msp,
    vendor: str = "ninjaone",
    name: str = "condition_triggered.json",
    **changes: Any,
) -> Json:
    response = deliver(stack.client, msp.integration, payload(vendor, name, **changes))
    body: Json = response.json()
    assert body.get("outcome") == "ticket_created", response.text
    return body


def reset_jobs(stack: Stack) -> list[tuple[str, int]]:
    rows = stack.sql(
        "select status::text, attempts from procrastinate_jobs"
        " where task_name = 'reset_ticket_alerts' order by id"
    )
    return [(status, attempts) for status, attempts in rows]


def test_a_person_closing_the_ticket_resets_the_alert_in_ninjaone(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    opened = trigger(stack, msp)
    before = list(stack.vendors.ninjaone.resets)

    close(stack, msp, opened["ticket_id"])
    assert alert_of(stack, msp, opened["alert_id"])["outbound_status"] is None  # after commit
    stack.work()

    assert stack.vendors.ninjaone.resets == [*before, SERIES]
    alert = alert_of(stack, msp, opened["alert_id"])
    assert (alert["status"], alert["outbound_status"], alert["outbound_error"]) == (
        "resolved", "done", None
    )  # fmt: skip
    # NinjaOne echoes the reset as a webhook: nothing more happens
    echo = deliver(stack.client, msp.integration, payload("ninjaone", "condition_reset.json"))
    assert echo.status_code == 200, echo.text
    stack.work()
    assert stack.vendors.ninjaone.resets == [*before, SERIES]


def test_a_tactical_alert_is_resolved_in_tactical(stack: Stack) -> None:
    msp = new_msp(stack, connect_tactical)
    opened = trigger(stack, msp, "tacticalrmm", "webhook_trigger.json")
    close(stack, msp, opened["ticket_id"])
    stack.work()
    assert alert_of(stack, msp, opened["alert_id"])["outbound_status"] == "done"
    assert (
        stack.vendors.tactical.resolved[-1]
        == alert_of(stack, msp, opened["alert_id"])["external_alert_id"]
    )


def test_an_opted_out_rule_resets_nothing(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja, reset_alert_on_ticket_close=False)
    opened = trigger(stack, msp, seriesUid=str(uuid.uuid4()))
    before = list(stack.vendors.ninjaone.resets)
    close(stack, msp, opened["ticket_id"])
    stack.work()
    assert stack.vendors.ninjaone.resets == before
    alert = alert_of(stack, msp, opened["alert_id"])
    assert (alert["status"], alert["outbound_status"]) == ("active", "opted_out")


def test_the_pipelines_own_auto_close_resets_nothing(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    series = str(uuid.uuid4())
    opened = trigger(stack, msp, seriesUid=series)
    before = list(stack.vendors.ninjaone.resets)
    reset = deliver(
        stack.client, msp.integration, payload("ninjaone", "condition_reset.json", seriesUid=series)
    )
    assert reset.json()["outcome"] == "resolved", reset.text
    stack.work()
    assert stack.vendors.ninjaone.resets == before
    alert = alert_of(stack, msp, opened["alert_id"])
    assert (alert["status"], alert["outbound_status"]) == ("auto_resolved", None)


def test_a_vendor_failure_is_stamped_retried_and_the_close_stands(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    series = str(uuid.uuid4())
    opened = trigger(stack, msp, seriesUid=series)
    stack.sql("delete from procrastinate_jobs where task_name = 'reset_ticket_alerts'")
    stack.vendors.ninjaone.fail(f"/v2/alert/{series}/reset", 500, times=1)

    close(stack, msp, opened["ticket_id"])
    stack.work()

    alert = alert_of(stack, msp, opened["alert_id"])
    assert (alert["status"], alert["outbound_status"]) == ("active", "failed")
    assert "500" in alert["outbound_error"]
    assert reset_jobs(stack) == [("todo", 1)]  # retried later, with backoff
    ticket = stack.client.get(f"/api/v1/tickets/{opened['ticket_id']}", headers=msp.headers)
    assert ticket.json()["is_closed"] is True

    stack.sql("update procrastinate_jobs set scheduled_at = now() where status = 'todo'")
    stack.work()  # the retry
    alert = alert_of(stack, msp, opened["alert_id"])
    assert (alert["status"], alert["outbound_status"], alert["outbound_error"]) == (
        "resolved", "done", None
    )  # fmt: skip
    assert reset_jobs(stack) == [("succeeded", 2)]


def test_an_alert_that_fires_again_is_reset_again_on_the_next_close(stack: Stack) -> None:
    msp = new_msp(stack, connect_ninja)
    series = str(uuid.uuid4())
    first = trigger(stack, msp, seriesUid=series)
    close(stack, msp, first["ticket_id"])
    stack.work()
    assert stack.vendors.ninjaone.resets.count(series) == 1
    later = time.time() + 60  # the condition fires again, after the reset
    again = trigger(stack, msp, seriesUid=series, id=99, activityTime=later)
    assert alert_of(stack, msp, again["alert_id"])["outbound_status"] is None
    close(stack, msp, again["ticket_id"])
    stack.work()
    assert stack.vendors.ninjaone.resets.count(series) == 2


def test_a_job_left_running_by_a_dead_worker_is_run_again(stack: Stack) -> None:
    stack.sql("delete from procrastinate_jobs")
    (worker_id,) = stack.sql(
        "insert into procrastinate_workers (last_heartbeat)"
        " values (now() - interval '10 minutes') returning id"
    )[0]
    stack.sql(
        "insert into procrastinate_jobs (queue_name, task_name, args, status, worker_id)"
        " values ('default', 'sweep_outbox', '{}', 'doing', :w)",
        w=worker_id,
    )
    app = build_job_app(stack.runtime)

    async def recover() -> None:
        async with app.open_async():
            await app.tasks["recover_stalled_jobs"].func(timestamp=0)

    asyncio.run(recover())
    assert stack.sql("select status::text from procrastinate_jobs") == [("todo",)]
