"""Helpers for the webhook tests: connect integrations through the API, sign and post deliveries,
and read back what a delivery left behind (alerts, tickets, the inbound-events log)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from fastapi.testclient import TestClient

from alertdesk.testing.fakes import NINJA_URL, TACTICAL_URL, FakeVendors, fixture_bytes
from tests.web.api_helpers import Json, created

Auth = Literal["header", "signature", "token", "none"]
NINJA_CONNECT: Json = {
    "provider": "ninjaone",
    "instance_url": NINJA_URL,
    "credentials": {"client_id": "ninja-client", "client_secret": "ninja-secret"},
}
TACTICAL_CONNECT: Json = {
    "provider": "tacticalrmm",
    "instance_url": TACTICAL_URL,
    "credentials": {"api_key": "tactical-key"},
}


@dataclass(frozen=True)
class Connected:
    """A connected integration as the API returned it, with its admin's headers."""

    id: str
    provider: str
    secret: str
    admin: dict[str, str]

    @property
    def path(self) -> str:
        return f"/webhooks/{self.provider}/{self.id}"


def connect(client: TestClient, admin: dict[str, str], body: Json) -> Connected:
    out = created(client.post("/api/v1/integrations", json=body, headers=admin))
    assert out["is_active"] is True, out
    assert out["webhook_url"].endswith(f"/webhooks/{body['provider']}/{out['id']}"), out
    return Connected(out["id"], out["provider"], out["webhook_secret"], admin)


def connect_ninja(client: TestClient, admin: dict[str, str]) -> Connected:
    return connect(client, admin, NINJA_CONNECT)


def connect_tactical(client: TestClient, admin: dict[str, str]) -> Connected:
    return connect(client, admin, TACTICAL_CONNECT)


def add_rule(client: TestClient, integration: Connected, **actions: Any) -> Json:
    """A catch-all rule (empty conditions) that auto-resolves tickets unless told otherwise."""
    body = {"name": "all", "actions": {"auto_resolve_ticket": True, **actions}}
    url = f"/api/v1/integrations/{integration.id}/alert-rules"
    return created(client.post(url, json=body, headers=integration.admin))


def mapping_for(client: TestClient, integration: Connected, external_org_id: str) -> Json:
    mappings = get(client, integration.admin, f"/integrations/{integration.id}/org-mappings")
    found: Json = next(m for m in mappings if m["external_org_id"] == external_org_id)
    return found


def map_org(
    client: TestClient, integration: Connected, external_org_id: str, client_id: str
) -> None:
    mapping = mapping_for(client, integration, external_org_id)
    url = f"/api/v1/integrations/{integration.id}/org-mappings/{mapping['id']}"
    response = client.patch(url, json={"client_id": client_id}, headers=integration.admin)
    assert response.status_code == 200, response.text


def sign(secret: str, body: bytes) -> str:
    """Computed here, independently of the app: `sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    client: TestClient,
    integration: Connected,
    body: bytes,
    *,
    auth: Auth = "header",
    secret: str | None = None,
    content_type: str | None = "application/json",
    path: str | None = None,
) -> httpx.Response:
    """POST a raw body to the integration's webhook; `secret` overrides the right one."""
    key = integration.secret if secret is None else secret
    headers = {"Content-Type": content_type} if content_type else {}
    params = {}
    if auth == "header":
        headers["X-Alertdesk-Secret"] = key
    elif auth == "signature":
        headers["X-Alertdesk-Signature"] = sign(key, body)
    elif auth == "token":
        params["token"] = key
    response: httpx.Response = client.post(
        path or integration.path, content=body, headers=headers, params=params
    )
    return response


def payload(vendor: str, name: str, **changes: Any) -> bytes:
    """A fixture body, verbatim unless `changes` overrides top-level fields."""
    raw = fixture_bytes(vendor, name)
    return json.dumps(json.loads(raw) | changes).encode() if changes else raw


def processed(response: httpx.Response, outcome: str) -> Json:
    assert response.status_code == 200, response.text
    body: Json = response.json()
    assert body["processed"] is True, body
    assert body["outcome"] == outcome, body
    return body


def get(client: TestClient, headers: dict[str, str], path: str, **params: str) -> Any:
    response = client.get(f"/api/v1{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def alerts(client: TestClient, headers: dict[str, str], **params: str) -> list[Json]:
    found: list[Json] = get(client, headers, "/alerts", **params)
    return found


def tickets(client: TestClient, headers: dict[str, str], **params: str) -> list[Json]:
    found: list[Json] = get(client, headers, "/tickets", **params)
    return found


def ticket(client: TestClient, headers: dict[str, str], ticket_id: str) -> Json:
    found: Json = get(client, headers, f"/tickets/{ticket_id}")
    return found


def comment_bodies(client: TestClient, headers: dict[str, str], ticket_id: str) -> list[str]:
    return [c["body"] for c in ticket(client, headers, ticket_id)["comments"]]


def inbound_events(client: TestClient, integration: Connected) -> list[Json]:
    path = f"/integrations/{integration.id}/inbound-events"
    found: list[Json] = get(client, integration.admin, path)
    return found


def vendor_requests(vendors: FakeVendors) -> int:
    """How many calls the fake vendor APIs have received so far."""
    return len(vendors.ninjaone.requests) + len(vendors.tactical.requests)


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """The body as a stream, so the request goes out without a Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]
