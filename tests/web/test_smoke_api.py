"""End-to-end through the API: create a client and a ticket, work it, close it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import TenantCtx


def test_ticket_lifecycle_through_the_api(client: TestClient, tenant: TenantCtx) -> None:
    h = tenant.headers
    c = client.post("/api/v1/clients", json={"name": "Acme"}, headers=h)
    assert c.status_code == 201, c.text
    t = client.post(
        "/api/v1/tickets", json={"title": "Printer on fire", "client_id": c.json()["id"]}, headers=h
    )
    assert t.status_code == 201, t.text
    ticket = t.json()
    assert ticket["number"] == "TKT-000001"
    assert (
        client.post(
            f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "on it"}, headers=h
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/tickets/{ticket['id']}/time-entries", json={"minutes": 15}, headers=h
        ).status_code
        == 201
    )
    closed = client.post(f"/api/v1/tickets/{ticket['id']}/close", headers=h)
    assert closed.status_code == 200, closed.text
    assert closed.json()["is_closed"] is True
    assert closed.json()["closed_by_kind"] == "user"
    detail = client.get(f"/api/v1/tickets/{ticket['id']}", headers=h).json()
    assert [c["body"] for c in detail["comments"]] == ["on it"]
    assert detail["total_minutes"] == 15
    assert [h["field"] for h in detail["history"]] == ["status"]


def test_times_are_utc_on_output(client: TestClient, tenant: TenantCtx) -> None:
    created = client.post("/api/v1/clients", json={"name": "Utc"}, headers=tenant.headers).json()
    assert created["created_at"].endswith("Z")
