"""A technician sees the alerts behind a ticket on the ticket page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from alertdesk.testing.fakes import NINJA_URL, fixture_bytes
from tests.conftest import TenantCtx
from tests.web.ui_support import sign_in


def test_the_ticket_page_lists_its_alerts(client: TestClient, tenant: TenantCtx) -> None:
    h = tenant.headers
    client.post("/api/v1/clients", json={"name": "KMSP Radio Station"}, headers=h)
    creds = {"client_id": "ninja-client", "client_secret": "ninja-secret"}
    body = {"provider": "ninjaone", "instance_url": NINJA_URL, "credentials": creds}
    integration = client.post("/api/v1/integrations", json=body, headers=h).json()
    rule = {"name": "everything"}
    client.post(f"/api/v1/integrations/{integration['id']}/alert-rules", json=rule, headers=h)
    delivered = client.post(
        f"/webhooks/ninjaone/{integration['id']}",
        content=fixture_bytes("ninjaone", "condition_triggered.json"),
        headers={"X-Alertdesk-Secret": integration["webhook_secret"]},
    ).json()
    assert delivered["outcome"] == "ticket_created"

    sign_in(client, tenant.admin.email)
    page = client.get(f"/ui/tickets/{delivered['ticket_id']}").text
    assert 'id="alerts"' in page
    assert "192.168.50.43" in page  # the device's display name
    assert "· vmm_cond_memory_usage_ge" not in page  # a bare vendor code says nothing
    assert "Memory Utilization is greater than or equal to 80%" in page
    assert ">active<" in page


def test_a_manual_ticket_has_no_alerts_card(client: TestClient, tenant: TenantCtx) -> None:
    h = tenant.headers
    acme = client.post("/api/v1/clients", json={"name": "Acme"}, headers=h).json()
    ticket = client.post(
        "/api/v1/tickets", json={"title": "Printer", "client_id": acme["id"]}, headers=h
    ).json()
    sign_in(client, tenant.admin.email)
    assert 'id="alerts"' not in client.get(f"/ui/tickets/{ticket['id']}").text
