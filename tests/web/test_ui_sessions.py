"""UI sessions end on the server: a copied cookie stops working after sign-out or expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import Session

from alertdesk.settings import Settings
from alertdesk.storage.models import User, UserSession
from alertdesk.web.session_cookie import COOKIE_NAME, SessionCodec, UiSession
from tests.conftest import TenantCtx
from tests.web.ui_support import api_client, api_detail, api_ticket, page_token, sign_in


@pytest.fixture
def codec(settings: Settings) -> SessionCodec:
    """The app's cookie codec: same key, so it reads and signs what the app does."""
    return SessionCodec(settings.resolved_secret_key(), settings.session_max_age_seconds)


def _signed_in_cookie(client: TestClient, codec: SessionCodec, email: str) -> tuple[str, UiSession]:
    """Sign in afresh; the session cookie value and what it names."""
    client.cookies.clear()
    sign_in(client, email)
    value = client.cookies[COOKIE_NAME]
    ui = codec.read(value)
    assert ui is not None
    return value, ui


def _use(client: TestClient, cookie: str) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, cookie)


def _logout(client: TestClient) -> None:
    response = client.post(
        "/ui/logout", data={"csrf_token": page_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303


def _sent_to_login(client: TestClient) -> None:
    response = client.get("/ui/tickets", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")


def test_a_copied_cookie_stops_working_after_logout(
    client: TestClient, codec: SessionCodec, tenant: TenantCtx
) -> None:
    ticket = api_ticket(client, tenant, api_client(client, tenant, "Acme"), "Printer on fire")
    copied, _ = _signed_in_cookie(client, codec, tenant.admin.email)
    token = page_token(client)
    _logout(client)
    _use(client, copied)  # the replayed cookie still carries a valid signature
    _sent_to_login(client)

    path, form = f"/ui/tickets/{ticket['id']}/comments", {"body": "after logout"}
    posted = client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["location"].startswith("/ui/login")
    htmx = client.post(
        path,
        data=form,
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert htmx.status_code == 204
    assert htmx.headers["hx-redirect"].startswith("/ui/login")
    assert api_detail(client, tenant, ticket["id"])["comments"] == []


def test_another_session_keeps_working_when_one_signs_out(
    client: TestClient, codec: SessionCodec, tenant: TenantCtx
) -> None:
    first, _ = _signed_in_cookie(client, codec, tenant.admin.email)
    second, _ = _signed_in_cookie(client, codec, tenant.admin.email)
    _use(client, first)
    _logout(client)
    _use(client, second)
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 200
    _use(client, first)
    _sent_to_login(client)


def test_an_expired_session_row_is_refused_while_the_cookie_is_still_signed(
    client: TestClient, codec: SessionCodec, session: Session, tenant: TenantCtx
) -> None:
    _, ui = _signed_in_cookie(client, codec, tenant.admin.email)
    row = session.get_one(UserSession, (ui.tenant, ui.session_id))
    assert row.expires_at - datetime.now(UTC) > timedelta(hours=11)  # the 12h default
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    _sent_to_login(client)


@pytest.mark.parametrize("whose", ["technician", "other tenant"])
def test_a_session_row_never_vouches_for_another_user(
    client: TestClient,
    codec: SessionCodec,
    tenant: TenantCtx,
    technician: tuple[User, dict[str, str]],
    make_tenant: Callable[..., TenantCtx],
    whose: str,
) -> None:
    _, ui = _signed_in_cookie(client, codec, tenant.admin.email)
    other = technician[0] if whose == "technician" else make_tenant().admin
    forged, _ = codec.issue(other.tenant, other.id, ui.session_id)
    _use(client, forged)  # signed with the real key, as a key leak or a bug would allow
    _sent_to_login(client)
    genuine, _ = codec.issue(ui.tenant, ui.user_id, ui.session_id)
    _use(client, genuine)
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 200


def test_a_cookie_of_the_old_format_asks_to_sign_in_again(
    client: TestClient, codec: SessionCodec, settings: Settings, tenant: TenantCtx
) -> None:
    serializer = URLSafeTimedSerializer(settings.resolved_secret_key(), salt="alertdesk-ui-session")
    old = serializer.dumps([tenant.id.hex, tenant.admin.id.hex, "csrf"])
    assert codec.read(old) is None
    _use(client, old)
    _sent_to_login(client)
