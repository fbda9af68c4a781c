"""Done when (issue: vendors): fixture deliveries posted to a running `alertdesk serve` create,
dedup and auto-close tickets for NinjaOne and TacticalRMM (PRD acceptance 1-3 and 5).

The vendors' APIs are local fake servers; connecting goes through the real API, so the
credentials check and NinjaOne's webhook registration happen over real HTTP.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from alertdesk.testing.fakes import FakeVendors, fixture, serving
from tests.e2e.conftest import Workspace


@pytest.fixture
def vendor_urls() -> Iterator[tuple[FakeVendors, str, str]]:
    vendors = FakeVendors()
    with serving(vendors.ninjaone) as ninja, serving(vendors.tactical) as tactical:
        yield vendors, ninja, tactical


def _connect(ws: Workspace, provider: str, url: str, credentials: dict[str, str]) -> Any:
    body = {"provider": provider, "instance_url": url, "credentials": credentials}
    integration = ws.api("POST", "/integrations", json=body)
    rule = {"name": "Everything", "actions": {"auto_resolve_ticket": True}}
    ws.api("POST", f"/integrations/{integration['id']}/alert-rules", json=rule)
    return integration


def _deliver(ws: Workspace, integration: Any, body: dict[str, Any], **headers: str) -> Any:
    response = httpx.post(
        f"{ws.url}/webhooks/{integration['provider']}/{integration['id']}",
        content=json.dumps(body).encode(),
        headers={"X-Alertdesk-Secret": integration["webhook_secret"], **headers},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_ninjaone_deliveries_to_a_running_server(
    workspace: Workspace, vendor_urls: tuple[FakeVendors, str, str]
) -> None:
    vendors, ninja_url, _ = vendor_urls
    client = workspace.api("POST", "/clients", json={"name": "Country Consulting"})
    creds = {"client_id": "ninja-client", "client_secret": "ninja-secret"}
    # the capture's device belongs to org 2, "Country Consulting" (matched by name on connect)
    vendors.ninjaone.organizations = [{"id": 2, "name": "Country Consulting"}]
    integration = _connect(workspace, "ninjaone", ninja_url, creds)
    assert vendors.ninjaone.webhook is not None
    assert vendors.ninjaone.webhook["url"].endswith(f"/webhooks/ninjaone/{integration['id']}")

    trigger = fixture("ninjaone", "condition_triggered.json")
    created = _deliver(workspace, integration, trigger)
    assert created["outcome"] == "ticket_created"  # criterion 1: a ticket, right away
    ticket = workspace.api("GET", f"/tickets/{created['ticket_id']}")
    assert ticket["client_id"] == client["id"]

    flap = trigger | {"seriesUid": "second-series", "id": trigger["id"] + 1}
    repeat = _deliver(workspace, integration, flap)
    assert (repeat["outcome"], repeat["ticket_id"]) == ("occurrence_appended", ticket["id"])

    reset = fixture("ninjaone", "condition_reset.json")
    assert _deliver(workspace, integration, reset)["outcome"] == "resolved"
    still_open = workspace.api("GET", f"/tickets/{ticket['id']}")
    assert not still_open["is_closed"]  # criterion 3: the second alert is still active
    _deliver(workspace, integration, reset | {"seriesUid": "second-series", "id": 9})
    closed = workspace.api("GET", f"/tickets/{ticket['id']}")
    assert (closed["is_closed"], closed["closed_by_kind"]) == (True, "system")
    assert [c["body"].split("\n")[0] for c in closed["comments"]][:2] == [
        "Ticket created automatically from a NinjaOne alert.",
        "Alert re-triggered — 2nd occurrence.",
    ]
    assert vendors.ninjaone.resets == []  # a system close never echoes back


def test_tactical_deliveries_to_a_running_server(
    workspace: Workspace, vendor_urls: tuple[FakeVendors, str, str]
) -> None:
    vendors, _, tactical_url = vendor_urls
    workspace.api("POST", "/clients", json={"name": "Acme Dental"})
    integration = _connect(workspace, "tacticalrmm", tactical_url, {"api_key": "tactical-key"})
    assert vendors.tactical.paths()[:2] == ["/agents/", "/clients/"]

    created = _deliver(workspace, integration, fixture("tacticalrmm", "webhook_trigger.json"))
    assert created["outcome"] == "ticket_created"
    resolved = _deliver(workspace, integration, fixture("tacticalrmm", "webhook_resolved.json"))
    assert resolved["outcome"] == "resolved"
    ticket = workspace.api("GET", f"/tickets/{created['ticket_id']}")
    assert (ticket["is_closed"], ticket["closed_by_kind"]) == (True, "system")
    availability = fixture("tacticalrmm", "webhook_trigger_availability.json")
    assert _deliver(workspace, integration, availability)["outcome"] == "ticket_created"
    _secret_stays_out_of_the_access_log(workspace, integration)


def _secret_stays_out_of_the_access_log(workspace: Workspace, integration: Any) -> None:
    """However the query parameter is spelled or encoded, its value is never logged."""
    secret, url = integration["webhook_secret"], f"{workspace.url}/webhooks/tacticalrmm"
    body = json.dumps(fixture("tacticalrmm", "webhook_trigger.json")).encode()
    spelled = {"tok%65n": 200, "Token": 401, "token": 200}
    logged_before = workspace.log.read_text().count("/webhooks/tacticalrmm/")
    for name, status in spelled.items():
        path = f"{url}/{integration['id']}?{name}={secret}&{name}2={secret}"
        assert httpx.post(path, content=body, timeout=10).status_code == status
    deadline = time.monotonic() + 10
    while workspace.log.read_text().count("/webhooks/tacticalrmm/") < logged_before + 3:
        assert time.monotonic() < deadline, workspace.log.read_text()
        time.sleep(0.1)
    log = workspace.log.read_text()
    assert secret not in log
    assert "?tok%65n=[redacted]&tok%65n2=[redacted]" in log
