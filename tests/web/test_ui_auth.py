"""Signing in and out of the technician UI, the session cookie, and CSRF on every form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.web.session_cookie import COOKIE_NAME
from tests.conftest import PASSWORD, TenantCtx
from tests.web.ui_support import (
    api_client,
    api_detail,
    api_ticket,
    api_tickets,
    csrf_from,
    login,
    page_token,
    sign_in,
    status_ids,
)

LOGIN_CSRF_COOKIE = "alertdesk_login_csrf"


def _set_cookie(response: Any, name: str) -> str:
    headers: list[str] = response.headers.get_list("set-cookie")
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie set: {headers}"
    return found[0]


def test_pages_without_a_session_redirect_to_login(client: TestClient) -> None:
    for path, encoded in (
        ("/ui/tickets", "%2Fui%2Ftickets"),
        ("/ui/tickets/new", "%2Fui%2Ftickets%2Fnew"),
        ("/ui/tickets?status=closed", "%2Fui%2Ftickets%3Fstatus%3Dclosed"),
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/ui/login?next={encoded}"
    page = client.get("/ui/tickets")
    assert page.status_code == 200
    assert "Sign in to your workspace" in page.text
    assert 'name="next" value="/ui/tickets"' in page.text


def test_htmx_requests_without_a_session_are_sent_to_login(client: TestClient) -> None:
    response = client.get("/ui/tickets", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/ui/login?next=%2Fui%2Ftickets"


def test_login_sets_a_protected_session_cookie_and_goes_to_next(
    client: TestClient, tenant: TenantCtx
) -> None:
    response = login(client, tenant.admin.email, next_url="/ui/tickets/new")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ui/tickets/new"
    cookie = _set_cookie(response, COOKIE_NAME).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert client.get("/ui/tickets/new").status_code == 200


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/phish", "//evil.example/ui/", "/api/v1/tickets", "/ui", ""],
)
def test_login_never_redirects_outside_the_ui(
    client: TestClient, tenant: TenantCtx, next_url: str
) -> None:
    response = login(client, tenant.admin.email, next_url=next_url)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/tickets"


def test_wrong_password_is_refused_on_the_page(client: TestClient, tenant: TenantCtx) -> None:
    response = login(client, tenant.admin.email, "not the password")
    assert response.status_code == 401
    assert "Wrong email or password." in response.text
    assert tenant.admin.email in response.text  # the email is kept in the form
    assert COOKIE_NAME not in client.cookies
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 303


def test_unknown_email_is_refused(client: TestClient, tenant: TenantCtx) -> None:
    response = login(client, "nobody@example.com")
    assert response.status_code == 401
    assert "Wrong email or password." in response.text
    assert COOKIE_NAME not in client.cookies


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_login_needs_the_login_csrf_token(
    client: TestClient, tenant: TenantCtx, token: str | None
) -> None:
    page = client.get("/ui/login")
    assert LOGIN_CSRF_COOKIE in _set_cookie(page, LOGIN_CSRF_COOKIE)
    form = {"email": tenant.admin.email, "password": PASSWORD, "next": "/ui/tickets"}
    if token is not None:
        form["csrf_token"] = token
    response = client.post("/ui/login", data=form, follow_redirects=False)
    assert response.status_code == 403
    assert "The sign-in form expired" in response.text
    assert COOKIE_NAME not in client.cookies


def test_login_csrf_token_must_match_the_cookie(client: TestClient, tenant: TenantCtx) -> None:
    token = csrf_from(client.get("/ui/login").text)
    client.cookies.delete(LOGIN_CSRF_COOKIE)
    form = {"email": tenant.admin.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/ui/login", data=form, follow_redirects=False)
    assert response.status_code == 403


def test_a_tampered_session_cookie_is_logged_out(client: TestClient, tenant: TenantCtx) -> None:
    sign_in(client, tenant.admin.email)
    value = client.cookies[COOKIE_NAME]
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB"))
    assert client.get("/api/v1/tickets").status_code == 401  # a cookie is no API credential
    response = client.get("/ui/tickets", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")
    client.cookies.set(COOKIE_NAME, value)  # the untouched cookie still works
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 200


def test_logout_ends_the_session(client: TestClient, tenant: TenantCtx) -> None:
    sign_in(client, tenant.admin.email)
    response = client.post(
        "/ui/logout", data={"csrf_token": page_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login"
    assert COOKIE_NAME not in client.cookies
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 303


def _forms(ids: dict[str, str]) -> dict[str, tuple[str, dict[str, str]]]:
    """Every form post of the UI: (path, a valid form without its CSRF token)."""
    ticket = f"/ui/tickets/{ids['ticket']}"
    return {
        "comment": (f"{ticket}/comments", {"body": "sneaky comment"}),
        "time": (f"{ticket}/time-entries", {"minutes": "30", "note": "sneaky"}),
        "fields": (f"{ticket}/fields", {"status_id": ids["in_progress"], "assigned_to": ""}),
        "close": (f"{ticket}/close", {}),
        "new": ("/ui/tickets", {"title": "Sneaky ticket", "client_id": ids["client"]}),
        "logout": ("/ui/logout", {}),
    }


@pytest.fixture
def signed_in(client: TestClient, tenant: TenantCtx) -> dict[str, str]:
    client_id = api_client(client, tenant, "Acme")
    ticket = api_ticket(client, tenant, client_id, "Printer on fire")
    sign_in(client, tenant.admin.email)
    statuses = status_ids(client, tenant)
    return {"client": client_id, "ticket": ticket["id"], "in_progress": statuses["In Progress"]}


def _unchanged(client: TestClient, tenant: TenantCtx, ids: dict[str, str]) -> None:
    detail = api_detail(client, tenant, ids["ticket"])
    assert detail["comments"] == []
    assert detail["time_entries"] == []
    assert detail["history"] == []
    assert detail["is_closed"] is False
    assert [t["title"] for t in api_tickets(client, tenant)] == ["Printer on fire"]
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 200  # still in


@pytest.mark.parametrize("form", ["comment", "time", "fields", "close", "new", "logout"])
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_form_posts_without_the_csrf_token_are_refused(
    client: TestClient,
    tenant: TenantCtx,
    signed_in: dict[str, str],
    form: str,
    token: str | None,
) -> None:
    path, data = _forms(signed_in)[form]
    if token is not None:
        data = {**data, "csrf_token": token}
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    _unchanged(client, tenant, signed_in)


def test_a_token_from_another_session_is_refused(
    client: TestClient, tenant: TenantCtx, signed_in: dict[str, str]
) -> None:
    stale = page_token(client)
    sign_in(client, tenant.admin.email)  # a new session has a new token
    path, data = _forms(signed_in)["comment"]
    response = client.post(path, data={**data, "csrf_token": stale}, follow_redirects=False)
    assert response.status_code == 403
    _unchanged(client, tenant, signed_in)


def test_form_posts_with_the_page_token_work(
    client: TestClient, tenant: TenantCtx, signed_in: dict[str, str]
) -> None:
    forms = _forms(signed_in)
    token = page_token(client, f"/ui/tickets/{signed_in['ticket']}")
    for name in ("comment", "time", "fields", "close", "new"):
        path, data = forms[name]
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303, (name, response.text)
    detail = api_detail(client, tenant, signed_in["ticket"])
    assert [c["body"] for c in detail["comments"]] == ["sneaky comment"]
    assert detail["total_minutes"] == 30
    assert detail["is_closed"] is True
    assert len(api_tickets(client, tenant)) == 2
    path, data = forms["logout"]
    assert client.post(path, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 303


def test_the_csrf_header_works_like_the_form_field(
    client: TestClient, tenant: TenantCtx, signed_in: dict[str, str]
) -> None:
    path, data = _forms(signed_in)["comment"]
    headers = {"X-CSRF-Token": page_token(client)}
    response = client.post(path, data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert len(api_detail(client, tenant, signed_in["ticket"])["comments"]) == 1


def test_a_shared_email_asks_for_the_workspace(
    client: TestClient, make_tenant: Callable[..., TenantCtx]
) -> None:
    first = make_tenant(name="North MSP", email="shared@example.com")
    second = make_tenant(name="South MSP", email="shared@example.com")
    api_client(client, second, "Only In South")
    response = login(client, "shared@example.com")
    assert response.status_code == 409
    assert "enter the workspace name" in response.text
    assert 'name="workspace"' in response.text
    assert COOKIE_NAME not in client.cookies

    response = login(client, "shared@example.com", workspace="South MSP")
    assert response.status_code == 303, response.text
    assert "Only In South" in client.get("/ui/tickets").text
    assert first.id != second.id


def test_a_wrong_workspace_is_refused(
    client: TestClient, make_tenant: Callable[..., TenantCtx]
) -> None:
    make_tenant(name="North MSP", email="shared@example.com")
    response = login(client, "shared@example.com", workspace="Nowhere MSP")
    assert response.status_code == 401
    assert 'name="workspace" value="Nowhere MSP"' in response.text


def test_a_deactivated_user_cannot_sign_in(
    client: TestClient, session: Session, tenant: TenantCtx
) -> None:
    tenant.admin.is_active = False
    session.flush()
    response = login(client, tenant.admin.email)
    assert response.status_code == 401
    assert COOKIE_NAME not in client.cookies


def test_a_user_deactivated_while_signed_in_is_logged_out(
    client: TestClient, session: Session, tenant: TenantCtx
) -> None:
    sign_in(client, tenant.admin.email)
    tenant.admin.is_active = False
    session.flush()
    assert client.get("/ui/tickets", follow_redirects=False).status_code == 303


def test_signing_in_can_continue_to_the_ninjaone_authorization(
    client: TestClient, tenant: TenantCtx
) -> None:
    target = "/api/v1/integrations/ninjaone/oauth/start?integration_id=x"
    response = login(client, tenant.admin.email, next_url=target)
    assert response.headers["location"] == target
