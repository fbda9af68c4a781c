"""Workflows run by the real worker: a filtered RMM_ALERT_TRIGGERED workflow opens a ticket for
an unlinked alert and fails cleanly for a linked one; http.post reaches a local server with a
signature it can verify; an event delivered twice runs each workflow once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from alertdesk.services.automation.outbox import defer_delivery
from tests.jobs.conftest import Msp, Stack, new_msp
from tests.web.webhook_support import connect_tactical, deliver, payload

SECRET = "shared-secret"


class Received:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Received, str]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            received.requests.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def quiet_msp(stack: Stack, **rule: Any) -> Msp:
    """A Tactical tenant whose reconciliation polling is off (the fake lists no alerts)."""
    msp = new_msp(stack, connect_tactical, **rule)
    url = f"/api/v1/integrations/{msp.integration.id}"
    off = {"settings": {"polling": {"enabled": False}}}
    assert stack.client.patch(url, json=off, headers=msp.headers).is_success
    return msp


def workflow(stack: Stack, msp: Msp, body: dict[str, Any]) -> dict[str, Any]:
    answer = stack.client.post("/api/v1/workflows", json=body, headers=msp.headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def runs(stack: Stack, msp: Msp, workflow_id: str) -> list[dict[str, Any]]:
    answer = stack.client.get(f"/api/v1/workflows/{workflow_id}/runs", headers=msp.headers)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


CREATE_TICKET: dict[str, Any] = {
    "name": "Ticket for critical alerts",
    "trigger": "RMM_ALERT_TRIGGERED",
    "filter": {"severities": ["critical"], "providers": ["tacticalrmm"]},
    "steps": [
        {"action": "rmm.alerts.create_ticket", "inputs": {"alert_id": "{{event.alert_id}}"}},
        {"action": "tickets.add_comment",
         "inputs": {"ticket_id": "{{event.alert_id}}", "body": "never reached"}},
    ],
}  # fmt: skip


def test_create_ticket_for_an_unlinked_alert(stack: Stack) -> None:
    msp = quiet_msp(stack, create_ticket=False)  # the rule records alerts only
    flow = workflow(stack, msp, {**CREATE_TICKET, "steps": CREATE_TICKET["steps"][:1]})
    answer = deliver(stack.client, msp.integration, payload("tacticalrmm", "webhook_trigger.json"))
    assert answer.json()["outcome"] == "recorded_only", answer.text
    stack.work()

    [run] = runs(stack, msp, flow["id"])
    assert run["status"] == "succeeded", run
    [step] = run["steps"]
    assert (step["action"], step["status"], step["error"]) == (
        "rmm.alerts.create_ticket", "succeeded", None,
    )  # fmt: skip
    alert = stack.client.get(f"/api/v1/alerts/{answer.json()['alert_id']}",
                             headers=msp.headers).json()  # fmt: skip
    assert alert["ticket_id"] == step["output"]["ticket_id"]
    ticket = stack.client.get(f"/api/v1/tickets/{alert['ticket_id']}", headers=msp.headers)
    assert ticket.json()["number"] == step["output"]["number"]


def test_create_ticket_fails_cleanly_for_a_linked_alert_and_stops(stack: Stack) -> None:
    msp = quiet_msp(stack)  # the rule opens a ticket itself
    flow = workflow(stack, msp, CREATE_TICKET)
    answer = deliver(stack.client, msp.integration, payload("tacticalrmm", "webhook_trigger.json"))
    assert answer.json()["outcome"] == "ticket_created"
    stack.work()
    [run] = runs(stack, msp, flow["id"])
    assert run["status"] == "failed"
    [step] = run["steps"]  # the second step never ran
    assert step["status"] == "failed"
    assert step["error"].startswith("already linked")
    tickets = stack.client.get("/api/v1/tickets", headers=msp.headers).json()
    assert len(tickets) == 1


def test_a_filter_that_does_not_match_starts_no_run(stack: Stack) -> None:
    msp = quiet_msp(stack, create_ticket=False)
    body = {**CREATE_TICKET, "filter": {"severities": ["minor"]}}
    flow = workflow(stack, msp, body)
    deliver(stack.client, msp.integration, payload("tacticalrmm", "webhook_trigger.json"))
    stack.work()
    assert runs(stack, msp, flow["id"]) == []


def test_http_post_is_signed_and_an_event_delivered_twice_runs_once(
    stack: Stack, receiver: tuple[Received, str]
) -> None:
    received, url = receiver
    received.requests.clear()
    msp = quiet_msp(stack, create_ticket=False)
    body = {
        "name": "Tell the NOC",
        "trigger": "RMM_ALERT_TRIGGERED",
        "steps": [{"action": "http.post", "inputs": {
            "url": url, "secret": SECRET,
            "body": {"alert": "{{event.alert_id}}", "text": "On {{event.provider}}: "
                     "{{event.message}}", "severity": "{{event.severity}}"},
        }}],
    }  # fmt: skip
    flow = workflow(stack, msp, body)
    answer = deliver(stack.client, msp.integration, payload("tacticalrmm", "webhook_trigger.json"))
    stack.work()

    [(headers, raw)] = received.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Alertdesk-Signature"] == expected
    sent = json.loads(raw)
    assert sent["alert"] == answer.json()["alert_id"]
    assert sent["severity"] == "critical"
    assert sent["text"].startswith("On tacticalrmm: FRONTDESK-01 has a diskspace check")
    [run] = runs(stack, msp, flow["id"])
    assert (run["status"], run["steps"][0]["output"]) == ("succeeded", {"status": 204})

    # the outbox hands the same event over again (as after a crash before it was marked)
    stack.sql("delete from event_delivery where tenant = :t", t=str(msp.tenant))
    stack.sql("update event set delivered_at = null where tenant = :t", t=str(msp.tenant))
    with stack.runtime.database.transaction() as session:
        defer_delivery(session, msp.tenant)
    stack.work()
    assert len(runs(stack, msp, flow["id"])) == 1
    assert len(received.requests) == 1
