"""Odd connect input and odd vendor answers get clear 4xx/5xx, never a crash."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from alertdesk.testing.fakes import NINJA_URL, TACTICAL_URL, FakeVendors
from tests.conftest import TenantCtx

API = "/api/v1/integrations"
NINJA_CREDS = {"client_id": "ninja-client", "client_secret": "ninja-secret"}


def _field(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [".".join(map(str, e["loc"][1:])) for e in response.json()["detail"]]


def test_a_malformed_instance_url_is_422(client: TestClient, tenant: TenantCtx) -> None:
    body = {"provider": "ninjaone", "instance_url": "http://[::1", "credentials": NINJA_CREDS}
    assert _field(client.post(API, json=body, headers=tenant.headers)) == ["instance_url"]


def test_oauth_sign_in_is_only_for_ninjaone(client: TestClient, tenant: TenantCtx) -> None:
    body = {
        "provider": "tacticalrmm",
        "instance_url": TACTICAL_URL,
        "credentials": {"api_key": "tactical-key"},
        "settings": {"authorization": "oauth"},
    }
    fields = _field(client.post(API, json=body, headers=tenant.headers))
    assert fields == ["settings.authorization"]


def test_organizations_in_an_unexpected_shape_are_a_502_on_sync(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    body = {"provider": "ninjaone", "instance_url": NINJA_URL, "credentials": NINJA_CREDS}
    created = client.post(API, json=body, headers=tenant.headers).json()
    vendors.ninjaone.organizations = [{"name": "no id"}]
    response = client.post(f"{API}/{created['id']}/org-mappings/sync", headers=tenant.headers)
    assert response.status_code == 502
    assert "unexpected shape" in response.json()["detail"]


def test_a_bad_organization_list_at_connect_still_connects_with_a_warning(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    vendors.ninjaone.organizations = [{"name": "no id"}]
    body = {"provider": "ninjaone", "instance_url": NINJA_URL, "credentials": NINJA_CREDS}
    response = client.post(API, json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    assert "unexpected shape" in response.json()["warnings"][0]
