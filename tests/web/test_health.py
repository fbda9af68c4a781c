"""Liveness, readiness (real database up or down) and Prometheus metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from alertdesk.app import create_app
from alertdesk.runtime import Runtime
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from tests.conftest import TenantCtx


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_when_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = Database.from_url(
        "postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    with TestClient(create_app(Runtime.build(settings, unreachable))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "database unavailable"}


def test_metrics_count_requests_by_handler(client: TestClient, tenant: TenantCtx) -> None:
    client.get("/api/v1/clients", headers=tenant.headers)
    client.get("/api/v1/clients", headers=tenant.headers)
    client.get("/api/v1/tickets/not-a-uuid", headers=tenant.headers)
    client.get("/no/such/page")
    body = client.get("/metrics").text
    assert (
        'alertdesk_http_requests_total{handler="api.reference.get_clients",method="GET",'
        'status="200"} 2.0'
    ) in body
    assert 'handler="api.tickets.get_ticket",method="GET",status="422"' in body
    assert 'handler="unmatched",method="GET",status="404"' in body
    assert "alertdesk_http_request_duration_seconds_bucket" in body
