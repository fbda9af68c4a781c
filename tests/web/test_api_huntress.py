"""Huntress through the API (API.md "Huntress") against the fake Huntress API: connect checks
the account and fills in its identity, the severity map and the organization mappings; routing
settings are validated against the tenant; POST /poll is skipped until routing is complete,
then turns incident reports into tickets once; Huntress has no webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.testing.fakes import FakeVendors
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, created, default_board, make_board, make_client, status_id

API = "/api/v1/integrations"
CONNECT: Json = {
    "provider": "huntress",
    "instance_url": "https://huntress.test",
    "credentials": {"api_key": "hk-key", "api_secret": "hk-secret"},
}


@pytest.fixture(autouse=True)
def no_pacing() -> Any:
    from alertdesk.providers.huntress.api import pacer_for

    pacer = pacer_for("https://huntress.test", "hk-key")
    pacer.interval = 0
    yield
    pacer.interval = 1.1


@pytest.fixture
def acme(client: TestClient, tenant: TenantCtx) -> Json:
    return make_client(client, tenant.headers, "Acme Dental")  # Huntress org 77120


def field_of(body: Json) -> str:
    """The field a 422 names: its location after "body"."""
    return ".".join(str(part) for part in body["detail"][0]["loc"][1:])


def connect(client: TestClient, tenant: TenantCtx) -> Json:
    return created(client.post(API, json=CONNECT, headers=tenant.headers))


def routing(client: TestClient, tenant: TenantCtx) -> Json:
    board = default_board(client, tenant.headers)
    triage = make_board(client, tenant.headers, "Security Triage", [
        {"name": "New", "is_default": True}, {"name": "Done", "is_closed": True},
    ])  # fmt: skip
    fallback = make_client(client, tenant.headers, "Unassigned security")
    return {
        "board_id": board["id"],
        "fallback_client_id": fallback["id"],
        "fallback_board_id": triage["id"],
        "auto_close_tickets": True,
        "closed_status_id": status_id(board, "Closed"),
    }


def test_connect_reads_the_account_and_prefills_what_it_can(
    client: TestClient, tenant: TenantCtx, acme: Json
) -> None:
    out = connect(client, tenant)
    assert (out["webhook_url"], out["webhook_secret"], out["is_active"]) == (None, None, True)
    settings = out["settings"]
    assert (settings["account_name"], settings["account_subdomain"]) == (
        "Example MSP", "examplemsp",
    )  # fmt: skip
    priorities = {
        p["name"]: p["id"] for p in client.get("/api/v1/priorities", headers=tenant.headers).json()
    }
    assert settings["severity_priority_map"] == {
        "critical": priorities["Critical"], "high": priorities["High"], "low": priorities["Medium"],
    }  # fmt: skip
    mappings = client.get(f"{API}/{out['id']}/org-mappings", headers=tenant.headers).json()
    by_org = {m["external_org_id"]: m["client_id"] for m in mappings}
    assert by_org == {"77120": acme["id"], "77121": None}  # matched by name
    setup = client.get(f"{API}/{out['id']}/webhook-setup", headers=tenant.headers)
    assert setup.status_code == 409


def test_wrong_credentials_are_refused_naming_them(client: TestClient, tenant: TenantCtx) -> None:
    body = CONNECT | {"credentials": {"api_key": "hk-key", "api_secret": "wrong"}}
    response = client.post(API, json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert field_of(response.json()) == "credentials"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"board_id": "00000000-0000-0000-0000-000000000001"}, "settings.board_id"),
        ({"severity_priority_map": {"low": "00000000-0000-0000-0000-000000000002"}},
         "settings.severity_priority_map.low"),
        ({"incident_cursor": "2026-01-01T00:00:00Z"}, "settings.incident_cursor"),
        ({"poll_interval_minutes": 0}, "settings.poll_interval_minutes"),
        ({"surprise": True}, "settings.surprise"),
    ],
)  # fmt: skip
def test_routing_settings_are_checked(
    client: TestClient, tenant: TenantCtx, change: Json, field: str
) -> None:
    out = connect(client, tenant)
    response = client.patch(f"{API}/{out['id']}", json={"settings": change}, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert field_of(response.json()) == field


def test_an_open_status_cannot_be_the_closed_status(client: TestClient, tenant: TenantCtx) -> None:
    out = connect(client, tenant)
    change = {"closed_status_id": status_id(default_board(client, tenant.headers), "New")}
    response = client.patch(f"{API}/{out['id']}", json={"settings": change}, headers=tenant.headers)
    assert (response.status_code, field_of(response.json())) == (422, "settings.closed_status_id")


def test_poll_waits_for_routing_then_makes_tickets_once(
    client: TestClient, tenant: TenantCtx, acme: Json, vendors: FakeVendors
) -> None:
    recent = datetime.now(UTC) - timedelta(hours=1)
    for n, incident in enumerate(vendors.huntress.incidents):
        incident["updated_at"] = (recent + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
    out = connect(client, tenant)
    poll_url = f"{API}/{out['id']}/poll"
    skipped = client.post(poll_url, headers=tenant.headers)
    assert skipped.json() == {"skipped": True, "reason": "routing incomplete"}
    settings = {"settings": routing(client, tenant)}
    saved = client.patch(f"{API}/{out['id']}", json=settings, headers=tenant.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["settings"]["account_subdomain"] == "examplemsp"  # kept
    counts = client.post(poll_url, headers=tenant.headers).json()
    assert (counts["fetched"], counts["created"], counts["recorded"], counts["errors"]) == (
        2,
        1,
        1,
        0,
    )
    assert counts["api_requests"] >= 2
    again = client.post(poll_url, headers=tenant.headers).json()
    assert (again["created"], again["skipped"]) == (0, 2)
    shown = client.get(f"{API}/{out['id']}", headers=tenant.headers).json()["status"]
    assert shown == {
        "account_name": "Example MSP", "account_subdomain": "examplemsp",
        "account_url": "https://examplemsp.huntress.io", "routing_complete": True,
        "organizations": 2, "unmapped_organizations": 1, "open_tickets": 1,
    }  # fmt: skip
    tickets = client.get("/api/v1/tickets", headers=tenant.headers).json()
    (ticket,) = [t for t in tickets if t["source"] == "huntress"]
    assert ticket["title"] == "[Huntress] CRITICAL - Incident on FRONTDESK-01 (Acme Dental)"
    assert (ticket["client_id"], ticket["source_reference"]) == (acme["id"], "512877")


def test_huntress_has_no_webhook(client: TestClient, tenant: TenantCtx) -> None:
    out = connect(client, tenant)
    response = client.post(f"/webhooks/huntress/{out['id']}", json={"id": 1})
    assert response.status_code == 404
