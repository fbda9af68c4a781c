"""Shared by the integration, org-mapping and OAuth API tests: connect bodies and DB reads."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.storage.models import Integration
from alertdesk.testing.fakes import NINJA_URL, TACTICAL_URL, fixture
from tests.web.api_helpers import Json, created

API = "/api/v1/integrations"
NINJA: Json = {
    "provider": "ninjaone",
    "instance_url": NINJA_URL,
    "credentials": {"client_id": "ninja-client", "client_secret": "ninja-secret"},
}
TACTICAL: Json = {
    "provider": "tacticalrmm",
    "instance_url": TACTICAL_URL,
    "credentials": {"api_key": "tactical-key"},
}


def connect(client: TestClient, headers: dict[str, str], body: Json, **extra: Any) -> Json:
    """POST /integrations and expect 201."""
    return created(client.post(API, json={**body, **extra}, headers=headers))


def deliver_tactical(client: TestClient, hook: Json) -> httpx.Response:
    """Post the verbatim Tactical trigger delivery to the integration's webhook URL."""
    body = fixture("tacticalrmm", "webhook_trigger.json")
    headers = {"X-Alertdesk-Secret": hook["webhook_secret"]}
    response: httpx.Response = client.post(hook["webhook_url"], json=body, headers=headers)
    return response


def ticket_from_tactical(client: TestClient, headers: dict[str, str], hook: Json) -> Json:
    """A catch-all rule, then the verbatim trigger delivery: one alert with a ticket."""
    rule = {"name": "all", "actions": {"create_ticket": True}}
    url = f"{API}/{hook['id']}/alert-rules"
    assert client.post(url, json=rule, headers=headers).status_code == 201
    delivery = deliver_tactical(client, hook)
    assert delivery.status_code == 200, delivery.text
    result: Json = delivery.json()
    assert result["processed"] is True, result
    assert result["ticket_id"], result
    return result


def get_json(client: TestClient, headers: dict[str, str], path: str) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def assert_field(response: httpx.Response, dotted: str) -> None:
    """A 422 whose detail has a loc ending in `dotted` (e.g. "credentials.client_secret")."""
    assert response.status_code == 422, response.text
    paths = [".".join(str(p) for p in entry["loc"]) for entry in response.json()["detail"]]
    assert any(p.endswith(dotted) for p in paths), paths


def row(session: Session, integration_id: str | uuid.UUID) -> Integration:
    """The integration row as stored now (not a stale identity-map copy)."""
    session.expire_all()
    found = session.scalar(
        select(Integration).where(Integration.id == uuid.UUID(str(integration_id)))
    )
    assert found is not None
    return found


def count_integrations(session: Session, tenant: uuid.UUID) -> int:
    session.expire_all()
    query = select(func.count()).select_from(Integration).where(Integration.tenant == tenant)
    return int(session.scalar(query) or 0)


ONE = f"{API}/{{integration_id}}"
KNOWN_ROUTES = {("GET", API), ("POST", API), ("GET", ONE), ("PATCH", ONE), ("DELETE", ONE)} | {
    ("GET", f"{ONE}/webhook-setup"),
    ("GET", f"{ONE}/org-mappings"),
    ("POST", f"{ONE}/org-mappings/sync"),
    ("PATCH", f"{ONE}/org-mappings/{{mapping_id}}"),
    ("GET", f"{ONE}/inbound-events"),
    ("POST", f"{ONE}/inbound-events/replay"),
}
BODIES: dict[str, Json] = {
    f"POST {API}": TACTICAL,
    f"PATCH {ONE}": {"settings": {"polling": {"enabled": False}}},
    f"PATCH {ONE}/org-mappings/{{mapping_id}}": {"client_id": None},
}


def integration_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every integrations route the app serves (OAuth and rule routes have their own tests)."""
    paths: dict[str, dict[str, Any]] = get_json(client, {}, "/openapi.json")["paths"]
    found = [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith(API) and not any(p in path for p in ("/oauth/", "/alert-rules"))
        for method in operations
    ]
    assert set(found) >= KNOWN_ROUTES, found
    return found


def call_every_route(client: TestClient, headers: dict[str, str], hook: Json) -> dict[str, int]:
    """Status of each integrations route called with `headers` on the integration `hook`
    (`hook["headers"]` are its owner's, used to find one of its org mappings)."""
    mapping = get_json(client, hook["headers"], f"{API}/{hook['id']}/org-mappings")[0]
    answers = {}
    for method, path in integration_routes(client):
        url = path.format(integration_id=hook["id"], mapping_id=mapping["id"])
        response = client.request(method, url, json=BODIES.get(f"{method} {path}"), headers=headers)
        answers[f"{method} {path}"] = response.status_code
    return answers
