"""NinjaOne OAuth authorization-code flow: a pending integration, start (redirect with a state
bound to the admin's session), callback (single use, 10-minute expiry), and every refusal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alertdesk.services.accounts.users import create_user
from alertdesk.services.integrations.vault import Vault
from alertdesk.settings import Settings
from alertdesk.storage.models import OAuthState, User
from alertdesk.testing.fakes import FakeVendors
from tests.conftest import PASSWORD, TenantCtx
from tests.web.api_helpers import Json
from tests.web.integration_helpers import API, NINJA, TACTICAL, connect, get_json, row
from tests.web.ui_support import sign_in, text_of

START = "/api/v1/integrations/ninjaone/oauth/start"
CALLBACK = "/api/v1/integrations/ninjaone/oauth/callback"
OAUTH = {"authorization": "oauth"}
PENDING = "awaiting_authorization"


@pytest.fixture
def connected(client: TestClient, tenant: TenantCtx) -> Json:
    """A NinjaOne integration waiting for authorization, its admin signed in to the UI."""
    body = connect(client, tenant.headers, NINJA, settings=OAUTH)
    sign_in(client, tenant.admin.email)
    return body


@pytest.fixture
def pending(client: TestClient, tenant: TenantCtx) -> Json:
    """A NinjaOne integration created for the OAuth flow, its admin signed in to the UI."""
    body = connect(client, tenant.headers, NINJA, settings=OAUTH)
    sign_in(client, tenant.admin.email)
    return body


def start(browser: TestClient, integration: Json) -> httpx.URL:
    response = browser.get(
        START, params={"integration_id": integration["id"]}, follow_redirects=False
    )
    assert response.status_code == 302, response.text
    return httpx.URL(response.headers["location"])


def callback(browser: TestClient, **params: str) -> httpx.Response:
    response: httpx.Response = browser.get(CALLBACK, params=params, follow_redirects=False)
    return response


def another_browser(client: TestClient, email: str) -> TestClient:
    browser = TestClient(client.app, follow_redirects=False)
    sign_in(browser, email)
    return browser


def add_user(session: Session, tenant: TenantCtx, role: str) -> User:
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.com"
    user = create_user(session, tenant.id, email=email, password=PASSWORD, name=role, role=role)
    session.flush()
    return user


def exchanges(vendors: FakeVendors) -> list[dict[str, list[str]]]:
    """The authorization-code exchanges NinjaOne was asked for."""
    tokens = [r for r in vendors.ninjaone.requests if r.url.path == "/ws/oauth/token"]
    forms = [parse_qs(r.content.decode()) for r in tokens]
    return [f for f in forms if f.get("grant_type") == ["authorization_code"]]


def assert_refused(response: httpx.Response, message: str, vendors: FakeVendors) -> None:
    assert response.status_code == 400, response.text
    assert message in text_of(response.text)
    assert exchanges(vendors) == []


def assert_status(client: TestClient, tenant: TenantCtx, integration: Json, active: bool) -> None:
    shown = get_json(client, tenant.headers, f"{API}/{integration['id']}")
    expected = (True, "ok") if active else (False, PENDING)
    assert (shown["is_active"], shown["sync_status"]) == expected


def test_start_redirects_to_ninjaone_with_a_stored_state(
    client: TestClient, session: Session, tenant: TenantCtx, connected: Json
) -> None:
    location = start(client, connected)
    assert (location.scheme, location.host, location.path) == (
        "https",
        "ninja.test",
        "/ws/oauth/authorize",
    )
    params = location.params
    assert (params["client_id"], params["response_type"]) == ("ninja-client", "code")
    assert params["redirect_uri"].endswith(CALLBACK)
    assert "offline_access" in params["scope"].split()
    state = params["state"]
    assert len(state) >= 32
    assert start(client, connected).params["state"] != state
    stored = session.scalars(select(OAuthState)).all()
    assert len(stored) == 2
    assert all(s.user_id == tenant.admin.id and s.used_at is None for s in stored)
    assert all(s.expires_at - s.created_at == timedelta(minutes=10) for s in stored)
    assert state not in {s.state_hash for s in stored}  # kept only as a hash


def test_a_wrong_state_is_refused(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors, connected: Json
) -> None:
    start(client, connected)
    response = callback(client, code="good-code", state="not-the-state")
    assert_refused(response, "not started from your session", vendors)


def test_an_expired_state_is_refused(
    client: TestClient, session: Session, vendors: FakeVendors, connected: Json
) -> None:
    state = start(client, connected).params["state"]
    past = datetime.now(UTC) - timedelta(seconds=1)
    session.execute(update(OAuthState).values(expires_at=past))
    session.flush()
    assert_refused(callback(client, code="good-code", state=state), "expired", vendors)


def test_a_state_from_another_admin_or_session_is_refused(
    client: TestClient, session: Session, tenant: TenantCtx, vendors: FakeVendors, connected: Json
) -> None:
    colleague = add_user(session, tenant, "admin")
    state = start(client, connected).params["state"]
    for browser in (
        another_browser(client, colleague.email),
        another_browser(client, tenant.admin.email),  # same admin, another session
    ):
        response = callback(browser, code="good-code", state=state)
        assert_refused(response, "not started from your session", vendors)


def test_ninjaone_saying_access_denied_is_a_400_page(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors, connected: Json
) -> None:
    state = start(client, connected).params["state"]
    response = callback(client, error="access_denied", state=state)
    assert_refused(response, "access_denied", vendors)
    assert_status(client, tenant, connected, active=False)


def test_technicians_may_not_authorize(
    client: TestClient, session: Session, tenant: TenantCtx, vendors: FakeVendors, connected: Json
) -> None:
    state = start(client, connected).params["state"]
    browser = another_browser(client, add_user(session, tenant, "technician").email)
    assert browser.get(START, params={"integration_id": connected["id"]}).status_code == 403
    assert callback(browser, code="good-code", state=state).status_code == 403
    assert exchanges(vendors) == []


def test_without_a_session_both_ends_redirect_to_login(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    body = connect(client, tenant.headers, NINJA)
    for url in (f"{START}?integration_id={body['id']}", f"{CALLBACK}?code=good-code&state=x"):
        # an API token is not a UI session
        response = client.get(url, headers=tenant.headers, follow_redirects=False)
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/ui/login?next=")
    assert exchanges(vendors) == []


def test_start_is_refused_for_a_foreign_or_non_ninjaone_integration(
    client: TestClient, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    foreign = connect(client, make_tenant().headers, NINJA)
    tactical = connect(client, tenant.headers, TACTICAL)
    sign_in(client, tenant.admin.email)
    for integration_id, status in (
        (foreign["id"], 404),
        (uuid.uuid4(), 404),
        (tactical["id"], 409),
    ):
        response = client.get(START, params={"integration_id": str(integration_id)})
        assert response.status_code == status, response.text


def test_an_oauth_integration_waits_for_authorization(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    body = connect(client, tenant.headers, NINJA, settings=OAUTH)
    assert (body["is_active"], body["sync_status"], body["connected_at"]) == (False, PENDING, None)
    assert body["webhook_secret"]
    assert body["authorize_url"].endswith(f"{START}?integration_id={body['id']}")
    shown = get_json(client, tenant.headers, f"{API}/{body['id']}")
    assert shown["authorize_url"] == body["authorize_url"]
    assert vendors.ninjaone.webhook is None


def test_callback_connects_stores_the_refresh_token_and_registers_the_webhook(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    vendors: FakeVendors,
    settings: Settings,
    pending: Json,
) -> None:
    location = start(client, pending)
    response = callback(client, code="good-code", state=location.params["state"])
    assert response.status_code == 200, response.text
    assert "is connected" in text_of(response.text)
    assert_status(client, tenant, pending, active=True)
    [exchange] = exchanges(vendors)
    assert exchange["code"] == ["good-code"]
    assert exchange["redirect_uri"] == [location.params["redirect_uri"]]
    stored = row(session, pending["id"])
    assert stored.credentials_encrypted is not None
    assert "refresh-" not in stored.credentials_encrypted
    creds = Vault(settings.resolved_secret_key()).decrypt_json(stored.credentials_encrypted)
    # the organization sync right after used refresh-1, and the rotated token was kept
    assert vendors.ninjaone.refresh_tokens == ["refresh-1"]
    assert creds["refresh_token"] == "refresh-rotated"
    assert vendors.ninjaone.webhook is not None
    assert vendors.ninjaone.webhook["url"] == pending["webhook_url"]
    header = {"name": "X-Alertdesk-Secret", "value": pending["webhook_secret"]}
    assert vendors.ninjaone.webhook["headers"] == [header]

    again = callback(client, code="good-code", state=location.params["state"])
    assert again.status_code == 400
    assert "already used" in text_of(again.text)


def test_a_refused_foreign_attempt_does_not_use_up_the_state(
    client: TestClient, session: Session, tenant: TenantCtx, pending: Json
) -> None:
    state = start(client, pending).params["state"]
    colleague = another_browser(client, add_user(session, tenant, "admin").email)
    assert callback(colleague, code="good-code", state=state).status_code == 400
    assert_status(client, tenant, pending, active=False)
    assert callback(client, code="good-code", state=state).status_code == 200


def test_a_code_the_vendor_rejects_leaves_the_integration_pending(
    client: TestClient, session: Session, tenant: TenantCtx, settings: Settings, pending: Json
) -> None:
    state = start(client, pending).params["state"]
    response = callback(client, code="bad-code", state=state)
    assert 400 <= response.status_code < 500
    assert "rejected" in text_of(response.text)
    assert_status(client, tenant, pending, active=False)
    stored = row(session, pending["id"])
    assert stored.credentials_encrypted is not None
    creds = Vault(settings.resolved_secret_key()).decrypt_json(stored.credentials_encrypted)
    assert "refresh_token" not in creds


def test_authorizing_syncs_the_organizations_like_a_connect(
    client: TestClient, tenant: TenantCtx, pending: Json
) -> None:
    state = start(client, pending).params["state"]
    assert callback(client, code="good-code", state=state).status_code == 200
    rows = get_json(client, tenant.headers, f"{API}/{pending['id']}/org-mappings")
    assert {m["external_org_id"] for m in rows} == {"1", "2", "6"}


def test_an_already_connected_integration_cannot_be_authorized_again(
    client: TestClient, tenant: TenantCtx
) -> None:
    body = connect(client, tenant.headers, NINJA)
    sign_in(client, tenant.admin.email)
    response = client.get(START, params={"integration_id": body["id"]}, follow_redirects=False)
    assert response.status_code == 409


def test_a_rejected_code_still_uses_up_the_state(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors, connected: Json
) -> None:
    state = start(client, connected).params["state"]
    assert callback(client, code="bad-code", state=state).status_code == 422
    again = callback(client, code="good-code", state=state)
    assert again.status_code == 400
    assert "already used" in text_of(again.text)
