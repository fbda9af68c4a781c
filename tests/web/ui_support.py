"""Helpers for the UI tests: sign in through the real login form, read CSRF tokens, seed via API."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, TenantCtx

_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
_ROW_TITLE = re.compile(r'class="ticket-title">([^<]*)</a>')


def csrf_from(page: str) -> str:
    """The CSRF token of the first form in the page, as a browser would submit it."""
    match = _CSRF.search(page)
    assert match is not None, "the page has no CSRF token"
    assert match.group(1), "the page's CSRF token is empty"
    return html.unescape(match.group(1))


def login(
    client: TestClient,
    email: str,
    password: str = PASSWORD,
    *,
    workspace: str = "",
    next_url: str = "/ui/tickets",
) -> httpx.Response:
    """Open the login page and submit it; the redirect is returned, not followed."""
    page = client.get("/ui/login", params={"next": next_url})
    assert page.status_code == 200, page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "email": email,
        "password": password,
        "next": next_url,
    }
    if workspace:
        form["workspace"] = workspace
    response: httpx.Response = client.post("/ui/login", data=form, follow_redirects=False)
    return response


def sign_in(client: TestClient, email: str) -> None:
    response = login(client, email)
    assert response.status_code == 303, response.text


def page_token(client: TestClient, path: str = "/ui/tickets") -> str:
    """The session's CSRF token, read from a page the signed-in user can open."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def titles(page: str) -> list[str]:
    """The titles of the ticket rows in a list page, sorted."""
    return sorted(html.unescape(t) for t in _ROW_TITLE.findall(page))


def text_of(page: str) -> str:
    """The page's visible text with tags dropped and whitespace collapsed, for phrase checks."""
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(without_tags).split())


def api_client(client: TestClient, tenant: TenantCtx, name: str) -> str:
    response = client.post("/api/v1/clients", json={"name": name}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def api_ticket(
    client: TestClient, tenant: TenantCtx, client_id: str, title: str, **extra: Any
) -> dict[str, Any]:
    body = {"title": title, "client_id": client_id, **extra}
    response = client.post("/api/v1/tickets", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def api_detail(client: TestClient, tenant: TenantCtx, ticket_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


def api_tickets(client: TestClient, tenant: TenantCtx) -> list[dict[str, Any]]:
    response = client.get("/api/v1/tickets", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    items: list[dict[str, Any]] = body["items"] if isinstance(body, dict) else body
    return items


def status_ids(client: TestClient, tenant: TenantCtx) -> dict[str, str]:
    """Status name -> id on the tenant's default board."""
    response = client.get("/api/v1/boards", headers=tenant.headers)
    assert response.status_code == 200, response.text
    board = next(b for b in response.json() if b["is_default"])
    return {s["name"]: str(s["id"]) for s in board["statuses"]}


def priority_ids(client: TestClient, tenant: TenantCtx) -> dict[str, str]:
    response = client.get("/api/v1/priorities", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return {p["name"]: str(p["id"]) for p in response.json()}
