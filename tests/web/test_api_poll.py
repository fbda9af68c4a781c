"""Reconciliation polling through POST /integrations/{id}/poll against the fake vendors:
a missed trigger becomes a ticket, a missed reset closes the untouched ticket, a suppressed
alert still firing after its window becomes a ticket, a webhook alert seen again by the poll
stays one row, one cycle at a time, and vendor failures are recorded, not half-applied."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from alertdesk.storage.models import Integration
from alertdesk.testing.fakes import FakeVendors, fixture
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, make_client
from tests.web.webhook_support import (
    Connected,
    add_rule,
    alerts,
    connect_ninja,
    connect_tactical,
    deliver,
    payload,
    ticket,
)

SERIES = "e6b0b0bd-5753-445d-9e4a-71c08983cbd5"  # the webhook fixture's alert (device 7, org 2)
CONDITION = "205b85b2-8a12-4123-834f-164be08b3314"


def ninja_alert(**changes: Any) -> dict[str, Any]:
    """A GET /v2/alerts item (verbatim shape) for device 7 of organization 2."""
    item: dict[str, Any] = copy.deepcopy(fixture("ninjaone", "alerts_list.json")[0])
    return item | {"deviceId": 7, "createTime": datetime.now(UTC).timestamp()} | changes


def poll(client: TestClient, integration: Connected, status: int = 200) -> Json:
    response = client.post(f"/api/v1/integrations/{integration.id}/poll", headers=integration.admin)
    assert response.status_code == status, response.text
    body: Json = response.json()
    return body


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Connected:
    make_client(client, tenant.headers, "KMSP Radio Station")  # auto-mapped to organization 2
    integration = connect_ninja(client, tenant.headers)
    add_rule(client, integration)  # catch-all, auto-resolving
    return integration


def test_a_missed_trigger_becomes_a_ticket(
    client: TestClient, ninja: Connected, vendors: FakeVendors
) -> None:
    vendors.ninjaone.alerts = [ninja_alert(uid="missed-1")]
    counts = poll(client, ninja)
    assert counts == {
        "fetched": 1, "created": 1, "joined": 0, "recorded": 0, "resolved": 0,
        "reprocessed": 0, "errors": 0,
    }  # fmt: skip
    (alert,) = alerts(client, ninja.admin)
    assert (alert["external_alert_id"], alert["ingest_source"]) == ("missed-1", "poll")
    assert alert["ticket_id"] is not None
    assert alert["device_name"] == "192.168.50.43"  # from /v2/devices
    assert poll(client, ninja)["created"] == 0  # the next cycle knows it


def test_a_webhook_alert_seen_by_the_poll_stays_one_row_and_one_ticket(
    client: TestClient, ninja: Connected, vendors: FakeVendors
) -> None:
    trigger = deliver(client, ninja, payload("ninjaone", "condition_triggered.json")).json()
    assert trigger["outcome"] == "ticket_created"
    vendors.ninjaone.alerts = [ninja_alert(uid=SERIES, sourceConfigUid=CONDITION)]
    counts = poll(client, ninja)
    assert (counts["fetched"], counts["created"], counts["resolved"]) == (1, 0, 0)
    assert [a["id"] for a in alerts(client, ninja.admin)] == [trigger["alert_id"]]


def test_the_same_condition_under_another_id_is_matched_by_its_dedup_key(
    client: TestClient, ninja: Connected, vendors: FakeVendors
) -> None:
    deliver(client, ninja, payload("ninjaone", "condition_triggered.json"))
    vendors.ninjaone.alerts = [ninja_alert(uid="another-id", sourceConfigUid=CONDITION)]
    assert (poll(client, ninja)["created"], len(alerts(client, ninja.admin))) == (0, 1)


def test_an_alert_that_a_webhook_adds_during_the_poll_is_not_reset(
    client: TestClient, ninja: Connected, vendors: FakeVendors
) -> None:
    vendors.ninjaone.alerts = []  # the vendor's list, taken before the webhook below
    vendors.ninjaone.while_listing = lambda: deliver(
        client, ninja, payload("ninjaone", "condition_triggered.json")
    )
    counts = poll(client, ninja)
    assert (counts["fetched"], counts["resolved"]) == (0, 0)
    (alert,) = alerts(client, ninja.admin)
    assert alert["status"] == "active"


def test_a_missed_reset_closes_the_untouched_ticket(
    client: TestClient, ninja: Connected, vendors: FakeVendors
) -> None:
    trigger = deliver(client, ninja, payload("ninjaone", "condition_triggered.json")).json()
    vendors.ninjaone.alerts = []  # the reset webhook never came
    assert poll(client, ninja)["resolved"] == 1
    (alert,) = alerts(client, ninja.admin)
    assert alert["status"] == "auto_resolved"
    assert ticket(client, ninja.admin, trigger["ticket_id"])["is_closed"] is True


def test_a_suppressed_alert_still_firing_after_its_window_becomes_a_ticket(
    client: TestClient, ninja: Connected, vendors: FakeVendors
) -> None:
    now = datetime.now(UTC)
    window = {
        "name": "patching",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    created = client.post("/api/v1/maintenance-windows", json=window, headers=ninja.admin)
    assert created.status_code == 201, created.text
    body = payload("ninjaone", "condition_triggered.json", activityTime=now.timestamp())
    suppressed = deliver(client, ninja, body).json()
    assert suppressed["outcome"] == "suppressed"
    vendors.ninjaone.alerts = [ninja_alert(uid=SERIES, sourceConfigUid=CONDITION)]
    assert poll(client, ninja)["reprocessed"] == 0  # the window still runs
    ended = window | {"ends_at": (now - timedelta(minutes=1)).isoformat()}
    url = f"/api/v1/maintenance-windows/{created.json()['id']}"
    assert client.put(url, json=ended, headers=ninja.admin).status_code == 200
    assert poll(client, ninja)["reprocessed"] == 1
    (alert,) = alerts(client, ninja.admin)
    assert (alert["status"], alert["ticket_id"] is not None) == ("active", True)


def test_one_cycle_at_a_time(
    client: TestClient, ninja: Connected, session: Session, vendors: FakeVendors
) -> None:
    session.execute(
        update(Integration)
        .where(Integration.id == ninja.id)
        .values(poll_lease_until=datetime.now(UTC) + timedelta(minutes=5))
    )
    session.flush()
    assert "already running" in poll(client, ninja, 409)["detail"]
    assert vendors.ninjaone.paths("GET").count("/v2/alerts") == 0


@pytest.mark.parametrize(
    ("status", "sync_status"), [(401, "error"), (403, "error"), (503, "ok"), (429, "ok")]
)
def test_a_vendor_failure_is_recorded_and_nothing_is_applied(
    client: TestClient, ninja: Connected, vendors: FakeVendors, status: int, sync_status: str
) -> None:
    deliver(client, ninja, payload("ninjaone", "condition_triggered.json"))
    vendors.ninjaone.fail("/v2/alerts", status)
    assert "did not answer the poll" in poll(client, ninja, 502)["detail"]
    integration = client.get(f"/api/v1/integrations/{ninja.id}", headers=ninja.admin).json()
    assert (integration["sync_status"], str(status) in integration["sync_error"]) == (
        sync_status, True
    )  # fmt: skip
    assert alerts(client, ninja.admin)[0]["status"] == "active"  # no reset synthesized
    vendors.ninjaone.failures.clear()
    vendors.ninjaone.alerts = [ninja_alert(uid=SERIES, sourceConfigUid=CONDITION)]
    poll(client, ninja)  # the next cycle clears the error
    integration = client.get(f"/api/v1/integrations/{ninja.id}", headers=ninja.admin).json()
    assert (integration["sync_status"], integration["sync_error"]) == ("ok", None)


def test_tactical_alerts_are_polled_with_their_client(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    make_client(client, tenant.headers, "Acme Dental")  # Tactical client 3
    tactical = connect_tactical(client, tenant.headers)
    add_rule(client, tactical)
    vendors.tactical.alerts = copy.deepcopy(fixture("tacticalrmm", "alerts_list.json"))
    counts = poll(client, tactical)
    unresolved = [a for a in vendors.tactical.alerts if not a["resolved"]]
    assert counts["fetched"] == len(unresolved)
    assert counts["created"] + counts["joined"] == len(unresolved)
    first = next(a for a in alerts(client, tenant.headers) if a["external_alert_id"] == "1423")
    assert (first["external_org_id"], first["device_name"]) == ("3", "FRONTDESK-01")


def test_the_integration_says_when_it_is_polled_next(
    client: TestClient, ninja: Connected, vendors: FakeVendors
) -> None:
    poll(client, ninja)
    shown = client.get(f"/api/v1/integrations/{ninja.id}", headers=ninja.admin).json()
    last = datetime.fromisoformat(shown["last_poll_at"])
    assert datetime.fromisoformat(shown["next_poll_at"]) == last + timedelta(minutes=15)
    off = {"settings": {"polling": {"enabled": False}}}
    response = client.patch(f"/api/v1/integrations/{ninja.id}", json=off, headers=ninja.admin)
    assert response.status_code == 200, response.text
    assert response.json()["next_poll_at"] is None


def test_another_tenant_cannot_poll_an_integration(
    client: TestClient, ninja: Connected, make_tenant: Callable[..., TenantCtx]
) -> None:
    stranger = make_tenant()
    url = f"/api/v1/integrations/{ninja.id}/poll"
    assert client.post(url, headers=stranger.headers).status_code == 404


@pytest.mark.parametrize(("status", "polled_again"), [(401, False), (503, True)])
def test_a_failed_attempt_counts_for_the_schedule(
    client: TestClient, ninja: Connected, vendors: FakeVendors, status: int, polled_again: bool
) -> None:
    vendors.ninjaone.fail("/v2/alerts", status)
    poll(client, ninja, 502)
    shown = client.get(f"/api/v1/integrations/{ninja.id}", headers=ninja.admin).json()
    assert (
        shown["last_poll_at"] is not None
    )  # the attempt: a failing vendor is not asked each minute
    if polled_again:
        last = datetime.fromisoformat(shown["last_poll_at"])
        assert datetime.fromisoformat(shown["next_poll_at"]) == last + timedelta(minutes=15)
    else:  # refused credentials: not polled until reconnected
        assert shown["next_poll_at"] is None
