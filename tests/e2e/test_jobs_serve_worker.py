"""Done when (issue: jobs): `alertdesk serve --no-worker` and a separate `alertdesk worker`
process against local fake NinjaOne and Tactical servers — PRD acceptance 4 (closing the
ticket resets the alert in NinjaOne), 9 (a condition still firing after its maintenance
window becomes a ticket via the poller) and 10 (without webhooks, the scheduled poll turns
RMM-active alerts into tickets and closes stale ones); the worker stops cleanly on SIGTERM."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from alertdesk.testing.fakes import FakeVendors, fixture, serving
from tests.e2e.conftest import Workspace, running_workspace

SERIES = "e6b0b0bd-5753-445d-9e4a-71c08983cbd5"
CONDITION = "205b85b2-8a12-4123-834f-164be08b3314"


@dataclass
class Split:
    ws: Workspace
    vendors: FakeVendors
    ninja: dict[str, Any]
    tactical_url: str


@pytest.fixture(scope="module")
def split(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Split]:
    vendors = FakeVendors()
    vendors.ninjaone.organizations = [{"id": 2, "name": "Country Consulting"}]
    folder = tmp_path_factory.mktemp("split")
    with (
        serving(vendors.ninjaone) as ninja_url,
        serving(vendors.tactical) as tactical_url,
        running_workspace(make_database(), folder, separate_worker=True) as ws,
    ):
        ws.api("POST", "/clients", json={"name": "Country Consulting"})
        body = {
            "provider": "ninjaone",
            "instance_url": ninja_url,
            "credentials": {"client_id": "ninja-client", "client_secret": "ninja-secret"},
            "settings": {"polling": {"enabled": False}},  # polled on demand below
        }
        ninja = ws.api("POST", "/integrations", json=body)
        rule = {"name": "Everything", "actions": {"auto_resolve_ticket": True}}
        ws.api("POST", f"/integrations/{ninja['id']}/alert-rules", json=rule)
        yield Split(ws, vendors, ninja, tactical_url)


def deliver(split: Split, body: dict[str, Any]) -> Any:
    integration = split.ninja
    response = httpx.post(
        f"{split.ws.url}/webhooks/ninjaone/{integration['id']}",
        content=json.dumps(body).encode(),
        headers={"X-Alertdesk-Secret": integration["webhook_secret"]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def eventually(check: Callable[[], Any], seconds: float, what: str, split: Split) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    worker_log = (split.ws.log.parent / "worker.log").read_text()
    pytest.fail(f"{what} did not happen within {seconds}s; worker log:\n{worker_log}")


def close(split: Split, ticket_id: str) -> None:
    board = next(b for b in split.ws.api("GET", "/boards") if b["is_default"])
    closed = next(s["id"] for s in board["statuses"] if s["name"] == "Closed")
    split.ws.api("PATCH", f"/tickets/{ticket_id}", json={"status_id": closed})


def test_closing_the_ticket_resets_the_alert_in_ninjaone(split: Split) -> None:
    opened = deliver(split, fixture("ninjaone", "condition_triggered.json"))
    assert opened["outcome"] == "ticket_created"
    close(split, opened["ticket_id"])
    eventually(lambda: SERIES in split.vendors.ninjaone.resets, 30, "the reset", split)
    alert = split.ws.api("GET", f"/alerts/{opened['alert_id']}")
    assert (alert["status"], alert["outbound_status"]) == ("resolved", "done")


def test_a_condition_firing_after_its_window_becomes_a_ticket_via_the_poller(split: Split) -> None:
    now = datetime.now(UTC)
    window = {
        "name": "Patch night",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    created = split.ws.api("POST", "/maintenance-windows", json=window)
    series = "window-series"
    trigger = fixture("ninjaone", "condition_triggered.json") | {
        "seriesUid": series, "id": 4242, "activityTime": now.timestamp(),
    }  # fmt: skip
    assert deliver(split, trigger)["outcome"] == "suppressed"
    active = copy.deepcopy(fixture("ninjaone", "alerts_list.json")[0])
    split.vendors.ninjaone.alerts = [
        active | {"uid": series, "deviceId": 7, "sourceConfigUid": CONDITION}
    ]
    ended = window | {"ends_at": (now - timedelta(minutes=1)).isoformat()}
    split.ws.api("PUT", f"/maintenance-windows/{created['id']}", json=ended)
    counts = split.ws.api("POST", f"/integrations/{split.ninja['id']}/poll")
    assert counts["reprocessed"] == 1
    alert = next(a for a in split.ws.api("GET", "/alerts") if a["external_alert_id"] == series)
    assert (alert["status"], alert["ticket_id"] is not None) == ("active", True)


def test_without_webhooks_the_scheduled_poll_opens_and_closes_tickets(split: Split) -> None:
    split.ws.api("POST", "/clients", json={"name": "Acme Dental"})
    split.vendors.tactical.alerts = copy.deepcopy(fixture("tacticalrmm", "alerts_list.json"))
    body = {
        "provider": "tacticalrmm",
        "instance_url": split.tactical_url,
        "credentials": {"api_key": "tactical-key"},
    }
    tactical = split.ws.api("POST", "/integrations", json=body)
    rule = {"name": "Everything", "actions": {"auto_resolve_ticket": True}}
    split.ws.api("POST", f"/integrations/{tactical['id']}/alert-rules", json=rule)

    unresolved = {str(a["id"]) for a in split.vendors.tactical.alerts if not a["resolved"]}

    def polled() -> list[Any]:  # every unresolved alert in (one transaction each)
        found = split.ws.api("GET", "/alerts", params={"integration_id": tactical["id"]})
        mine = [a for a in found if a["ingest_source"] == "poll"]
        return mine if {a["external_alert_id"] for a in mine} == unresolved else []

    alerts = eventually(polled, 90, "the scheduled poll (every minute)", split)
    frontdesk = next(a for a in alerts if a["external_alert_id"] == "1423")
    assert frontdesk["ticket_id"] is not None

    for item in split.vendors.tactical.alerts:  # cleared in the RMM; no webhook comes
        if item["id"] == 1423:
            item["resolved"] = True
    assert split.ws.api("POST", f"/integrations/{tactical['id']}/poll")["resolved"] == 1
    ticket = split.ws.api("GET", f"/tickets/{frontdesk['ticket_id']}")
    assert (ticket["is_closed"], ticket["closed_by_kind"]) == (True, "system")


def test_the_worker_stops_cleanly_on_sigterm(split: Split) -> None:
    worker = split.ws.worker
    assert worker is not None
    assert worker.poll() is None
    worker.terminate()
    assert worker.wait(timeout=40) == 0
