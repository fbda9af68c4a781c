"""Webhook secrets: revealed on demand to admins (never cached), rotated through the API and
the integration page. After a rotation only the new secret is accepted; NinjaOne is given the
new one first, so a vendor refusal changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from alertdesk.storage.models import User
from alertdesk.testing.fakes import FakeVendors
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json
from tests.web.integration_helpers import API, NINJA, TACTICAL, connect, deliver_tactical
from tests.web.ui_support import page_token, sign_in

PAGE = "/ui/settings/integrations"


def rotate(client: TestClient, tenant: TenantCtx, hook: Json) -> Json:
    response = client.post(f"{API}/{hook['id']}/webhook-secret/rotate", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def test_after_a_rotation_only_the_new_tactical_secret_is_accepted(
    client: TestClient, tenant: TenantCtx
) -> None:
    hook = connect(client, tenant.headers, TACTICAL)
    new = rotate(client, tenant, hook)["webhook_secret"]
    assert new != hook["webhook_secret"]
    assert deliver_tactical(client, hook).status_code == 401  # the old secret
    assert deliver_tactical(client, {**hook, "webhook_secret": new}).status_code == 200
    setup = client.get(f"{API}/{hook['id']}/webhook-setup", headers=tenant.headers).json()
    assert setup["header"]["value"] == new
    assert new in setup["tacticalrmm"]["failure_action"]["rest_headers"]


def test_ninjaone_is_given_the_new_secret(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    hook = connect(client, tenant.headers, NINJA)
    new = rotate(client, tenant, hook)["webhook_secret"]
    assert vendors.ninjaone.webhook is not None
    assert vendors.ninjaone.webhook["headers"][0]["value"] == new
    assert vendors.ninjaone.webhook["url"] == hook["webhook_url"]


def test_a_vendor_refusal_keeps_the_old_secret(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    hook = connect(client, tenant.headers, NINJA)
    vendors.ninjaone.fail("/v2/webhook", 503)
    response = client.post(f"{API}/{hook['id']}/webhook-secret/rotate", headers=tenant.headers)
    assert response.status_code == 502
    setup = client.get(f"{API}/{hook['id']}/webhook-setup", headers=tenant.headers).json()
    assert setup["header"]["value"] == hook["webhook_secret"]


def test_rotation_is_refused_where_there_is_no_webhook(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    hook = connect(client, tenant.headers, TACTICAL)
    url = f"{API}/{hook['id']}/webhook-secret/rotate"
    assert client.post(url, headers=technician[1]).status_code == 403
    assert client.delete(f"{API}/{hook['id']}", headers=tenant.headers).status_code == 200
    assert client.post(url, headers=tenant.headers).status_code == 409


def test_the_page_reveals_and_rotates_the_secret(client: TestClient, tenant: TenantCtx) -> None:
    hook = connect(client, tenant.headers, TACTICAL)
    sign_in(client, tenant.admin.email)
    page = client.get(f"{PAGE}/{hook['id']}").text
    assert hook["webhook_secret"] not in page.split('id="webhook"')[1].split("Failure action")[0]
    revealed = client.get(f"{PAGE}/{hook['id']}/webhook-secret")
    assert revealed.headers["cache-control"] == "no-store"
    assert f'data-testid="revealed-secret">{hook["webhook_secret"]}<' in revealed.text

    token = page_token(client, f"{PAGE}/{hook['id']}")
    rotated = client.post(f"{PAGE}/{hook['id']}/webhook-secret/rotate", data={"csrf_token": token})
    assert rotated.status_code == 200
    assert "Secret rotated." in rotated.text
    assert "paste it into both URL Actions" in rotated.text
    assert deliver_tactical(client, hook).status_code == 401


def test_technicians_cannot_reveal_the_secret(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    hook = connect(client, tenant.headers, TACTICAL)
    sign_in(client, technician[0].email)
    response = client.get(f"{PAGE}/{hook['id']}/webhook-secret")
    assert response.status_code == 403
    assert hook["webhook_secret"] not in response.text
