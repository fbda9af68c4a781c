"""Admins connect vendors, read the webhook setup and map organizations in the UI."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from alertdesk.storage.models import User
from alertdesk.testing.fakes import NINJA_URL, TACTICAL_URL, FakeVendors
from tests.conftest import TenantCtx
from tests.web.ui_support import page_token, sign_in

PAGE = "/ui/settings/integrations"


def _connect(client: TestClient, **form: str) -> str:
    token = page_token(client, PAGE)
    response = client.post(PAGE, data={"csrf_token": token, **form})
    assert response.status_code == 200, response.text
    text: str = response.text
    return text


def test_connecting_tactical_shows_the_url_actions_with_the_secret(
    client: TestClient, tenant: TenantCtx
) -> None:
    sign_in(client, tenant.admin.email)
    page = _connect(
        client, provider="tacticalrmm", instance_url=TACTICAL_URL, api_key="tactical-key"
    )
    secret = re.search(r'data-testid="webhook-secret">([^<]+)<', page)
    assert secret is not None
    assert "Failure action" in page
    assert "Resolved action" in page
    assert f"&#34;X-Alertdesk-Secret&#34;: &#34;{secret.group(1)}&#34;" in page
    body = re.search(r'<textarea class="mono code" rows="12" readonly>(.*?)</textarea>', page, re.S)
    assert body is not None
    unescaped = body.group(1).replace("&#34;", '"').replace("&#39;", "'")
    assert json.loads(unescaped)["event"] == "trigger"
    listing = client.get(PAGE).text
    assert "Tactical RMM" in listing
    assert "Connect Tactical RMM" not in listing  # already connected


def test_connecting_ninjaone_registers_the_webhook_and_maps_by_name(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    client.post("/api/v1/clients", json={"name": "KMSP Radio Station"}, headers=tenant.headers)
    sign_in(client, tenant.admin.email)
    page = _connect(
        client,
        provider="ninjaone",
        instance_url=NINJA_URL,
        client_id="ninja-client",
        client_secret="ninja-secret",
    )
    assert vendors.ninjaone.webhook is not None
    assert "registered this address in NinjaOne" in page
    assert "KMSP Radio Station" in page
    assert "matched by name" in page


def test_mapping_an_organization_by_hand(client: TestClient, tenant: TenantCtx) -> None:
    acme = client.post("/api/v1/clients", json={"name": "Acme"}, headers=tenant.headers).json()
    sign_in(client, tenant.admin.email)
    _connect(
        client,
        provider="ninjaone",
        instance_url=NINJA_URL,
        client_id="ninja-client",
        client_secret="ninja-secret",
    )
    [integration] = client.get("/api/v1/integrations", headers=tenant.headers).json()
    mappings = client.get(
        f"/api/v1/integrations/{integration['id']}/org-mappings", headers=tenant.headers
    ).json()
    herrera = next(m for m in mappings if m["external_org_id"] == "1")
    token = page_token(client, f"{PAGE}/{integration['id']}")
    response = client.post(
        f"{PAGE}/{integration['id']}/mappings/{herrera['id']}",
        data={"csrf_token": token, "client_id": acme["id"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    after = client.get(
        f"/api/v1/integrations/{integration['id']}/org-mappings", headers=tenant.headers
    ).json()
    assert next(m for m in after if m["id"] == herrera["id"])["client_id"] == acme["id"]


def test_rejected_credentials_are_explained_and_nothing_is_saved(
    client: TestClient, tenant: TenantCtx
) -> None:
    sign_in(client, tenant.admin.email)
    token = page_token(client, PAGE)
    response = client.post(
        PAGE,
        data={"csrf_token": token, "provider": "tacticalrmm", "instance_url": TACTICAL_URL,
              "api_key": "wrong"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "rejected these credentials" in response.text
    assert client.get("/api/v1/integrations", headers=tenant.headers).json() == []


def test_technicians_cannot_open_integration_settings(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    user, _ = technician
    sign_in(client, user.email)
    assert client.get(PAGE).status_code == 403
    assert "Integrations" not in client.get("/ui/tickets").text


def test_the_buttons_sync_retry_and_disconnect(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    sign_in(client, tenant.admin.email)
    _connect(client, provider="tacticalrmm", instance_url=TACTICAL_URL, api_key="tactical-key")
    [integration] = client.get("/api/v1/integrations", headers=tenant.headers).json()
    page = f"{PAGE}/{integration['id']}"
    vendors.tactical.clients.append({"id": 9, "name": "Initech"})

    def press(action: str) -> int:
        token = page_token(client, page)
        url = f"{page}/{action}"
        code: int = client.post(url, data={"csrf_token": token}, follow_redirects=False).status_code
        return code

    assert press("sync") == 303
    assert "Initech" in client.get(page).text
    assert press("replay") == 303
    assert press("unknown") == 404
    assert press("disconnect") == 303
    shown = client.get(f"/api/v1/integrations/{integration['id']}", headers=tenant.headers).json()
    assert (shown["is_active"], shown["sync_status"]) == (False, "disconnected")
    vendors.tactical.fail("/clients/", 500)
    assert (
        "not connected"
        in client.post(f"{page}/sync", data={"csrf_token": page_token(client, page)}).text
    )


def test_a_malformed_client_id_is_refused_not_treated_as_unmapped(
    client: TestClient, tenant: TenantCtx
) -> None:
    client.post("/api/v1/clients", json={"name": "KMSP Radio Station"}, headers=tenant.headers)
    sign_in(client, tenant.admin.email)
    _connect(client, provider="ninjaone", instance_url=NINJA_URL, client_id="ninja-client",
             client_secret="ninja-secret")  # fmt: skip
    [integration] = client.get("/api/v1/integrations", headers=tenant.headers).json()
    url = f"/api/v1/integrations/{integration['id']}/org-mappings"
    matched = next(m for m in client.get(url, headers=tenant.headers).json() if m["client_id"])
    page = f"{PAGE}/{integration['id']}"
    response = client.post(
        f"{page}/mappings/{matched['id']}",
        data={"csrf_token": page_token(client, page), "client_id": "not-an-id"},
    )
    assert response.status_code == 422
    assert "not a valid id" in response.text
    after = next(
        m for m in client.get(url, headers=tenant.headers).json() if m["id"] == matched["id"]
    )
    assert after["client_id"] == matched["client_id"]
