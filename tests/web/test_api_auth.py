"""Bearer-token auth of the REST API: who may call at all, and which role may write what."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alertdesk.storage.models import ApiToken, User
from tests.conftest import TenantCtx
from tests.web.api_helpers import created, default_board, make_client, make_ticket, status_id

Technician = tuple[User, dict[str, str]]


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


def test_missing_header_is_401_with_challenge(client: TestClient, tenant: TenantCtx) -> None:
    response = client.get("/api/v1/tickets")
    assert_unauthorized(response)
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer    ",
        "Basic dXNlcjpwYXNz",
        "Token adk_00_abc",
        "Bearer not-a-token",
        "Bearer adk_nothex_abc",
        "Bearer xyz_0123456789abcdef0123456789abcdef_abc",
        "Bearer adk_0123456789abcdef0123456789abcdef",
    ],
)
def test_malformed_authorization_is_401(
    client: TestClient, tenant: TenantCtx, authorization: str
) -> None:
    assert_unauthorized(client.get("/api/v1/clients", headers={"Authorization": authorization}))


def test_unknown_token_of_a_real_tenant_is_401(client: TestClient, tenant: TenantCtx) -> None:
    forged = f"adk_{tenant.id.hex}_{uuid.uuid4().hex}"
    response = client.get("/api/v1/clients", headers={"Authorization": f"Bearer {forged}"})
    assert_unauthorized(response)
    assert response.json()["detail"] == "Invalid API token."


def test_real_secret_under_another_tenant_prefix_is_401(
    client: TestClient, make_tenant: Callable[..., TenantCtx]
) -> None:
    a, b = make_tenant(), make_tenant()
    _, _, secret = a.token.split("_", 2)
    swapped = f"adk_{b.id.hex}_{secret}"
    response = client.get("/api/v1/clients", headers={"Authorization": f"Bearer {swapped}"})
    assert_unauthorized(response)


def test_valid_token_authenticates(client: TestClient, tenant: TenantCtx) -> None:
    assert client.get("/api/v1/clients", headers=tenant.headers).status_code == 200


def test_token_create_shows_secret_once_and_stores_only_its_hash(
    client: TestClient, tenant: TenantCtx, session: Session
) -> None:
    issued = created(client.post("/api/v1/tokens", json={"name": "ci"}, headers=tenant.headers))
    secret = issued["token"]
    assert secret.startswith(f"adk_{tenant.id.hex}_")
    assert issued["name"] == "ci"
    assert issued["expires_at"] is None
    assert issued["revoked_at"] is None

    stored = session.scalars(select(ApiToken).where(ApiToken.id == uuid.UUID(issued["id"]))).one()
    assert stored.token_hash != secret
    assert secret not in stored.token_hash
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.user_id == tenant.admin.id

    listed = client.get("/api/v1/tokens", headers=tenant.headers).json()
    assert {t["name"] for t in listed} == {"test", "ci"}
    assert all("token" not in t and "token_hash" not in t for t in listed)

    new_headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/clients", headers=new_headers).status_code == 200


def test_token_list_shows_last_use(client: TestClient, tenant: TenantCtx) -> None:
    client.get("/api/v1/clients", headers=tenant.headers)
    listed = client.get("/api/v1/tokens", headers=tenant.headers).json()
    assert [t["name"] for t in listed] == ["test"]
    assert listed[0]["last_used_at"] is not None


def test_token_list_is_the_callers_own(
    client: TestClient, tenant: TenantCtx, technician: Technician
) -> None:
    _, tech_headers = technician
    created(client.post("/api/v1/tokens", json={"name": "tech-ci"}, headers=tech_headers))
    names = [t["name"] for t in client.get("/api/v1/tokens", headers=tenant.headers).json()]
    assert names == ["test"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "scope": "all"}, "scope"),
    ],
)
def test_token_create_validation(
    client: TestClient, tenant: TenantCtx, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/tokens", json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert any(field in e["loc"] for e in response.json()["detail"])


def test_revoked_token_is_401(client: TestClient, tenant: TenantCtx) -> None:
    issued = created(client.post("/api/v1/tokens", json={"name": "ci"}, headers=tenant.headers))
    doomed = {"Authorization": f"Bearer {issued['token']}"}
    assert client.get("/api/v1/clients", headers=doomed).status_code == 200

    revoked = client.delete(f"/api/v1/tokens/{issued['id']}", headers=tenant.headers)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None

    response = client.get("/api/v1/clients", headers=doomed)
    assert_unauthorized(response)
    assert "revoked" in response.json()["detail"]
    # the caller's own token is untouched
    assert client.get("/api/v1/clients", headers=tenant.headers).status_code == 200


def test_revoking_someone_elses_or_an_unknown_token_is_404(
    client: TestClient, tenant: TenantCtx, technician: Technician
) -> None:
    _, tech_headers = technician
    theirs = created(client.post("/api/v1/tokens", json={"name": "t"}, headers=tech_headers))
    for token_id in (theirs["id"], str(uuid.uuid4())):
        response = client.delete(f"/api/v1/tokens/{token_id}", headers=tenant.headers)
        assert response.status_code == 404, response.text
    assert client.get("/api/v1/clients", headers=tech_headers).status_code == 200


def test_expired_token_is_401(client: TestClient, tenant: TenantCtx, session: Session) -> None:
    body = {"name": "short", "expires_in_days": 1}
    issued = created(client.post("/api/v1/tokens", json=body, headers=tenant.headers))
    expires_at = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(hours=23) < expires_at - datetime.now(UTC) <= timedelta(days=1)
    short = {"Authorization": f"Bearer {issued['token']}"}
    assert client.get("/api/v1/clients", headers=short).status_code == 200

    session.execute(
        update(ApiToken)
        .where(ApiToken.id == uuid.UUID(issued["id"]))
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    session.flush()
    response = client.get("/api/v1/clients", headers=short)
    assert_unauthorized(response)
    assert "expired" in response.json()["detail"]


def test_deactivated_user_is_401(
    client: TestClient, tenant: TenantCtx, technician: Technician, session: Session
) -> None:
    user, headers = technician
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    user.is_active = False
    session.flush()
    response = client.get("/api/v1/tickets", headers=headers)
    assert_unauthorized(response)
    assert "deactivated" in response.json()["detail"]


ADMIN_WRITES = [
    ("/api/v1/clients", {"name": "Tech Corp"}),
    ("/api/v1/assets", {"client_id": str(uuid.uuid4()), "name": "PC-1"}),
    (
        "/api/v1/boards",
        {
            "name": "Projects",
            "statuses": [{"name": "Open", "is_default": True}, {"name": "Done", "is_closed": True}],
        },
    ),
    ("/api/v1/priorities", {"name": "Urgent"}),
    ("/api/v1/categories", {"name": "Hardware"}),
    ("/api/v1/users", {"email": "new@example.com", "password": "long enough pw"}),
]


@pytest.mark.parametrize(("path", "body"), ADMIN_WRITES)
def test_technician_may_not_write_settings(
    client: TestClient,
    tenant: TenantCtx,
    technician: Technician,
    path: str,
    body: dict[str, Any],
) -> None:
    _, headers = technician
    before = client.get(path, headers=tenant.headers).json()
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["detail"] == "Only admins may do this."
    assert client.get(path, headers=tenant.headers).json() == before


@pytest.mark.parametrize(("path", "body"), ADMIN_WRITES[:1] + ADMIN_WRITES[2:])
def test_admin_may_write_settings(
    client: TestClient, tenant: TenantCtx, path: str, body: dict[str, Any]
) -> None:
    created(client.post(path, json=body, headers=tenant.headers))


@pytest.mark.parametrize(
    "path",
    ["/api/v1/clients", "/api/v1/assets", "/api/v1/boards", "/api/v1/priorities", "/api/v1/users"],
)
def test_technician_can_read_reference_data(
    client: TestClient, technician: Technician, path: str
) -> None:
    _, headers = technician
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)


def test_technician_works_tickets(
    client: TestClient, tenant: TenantCtx, technician: Technician
) -> None:
    user, headers = technician
    acme = make_client(client, tenant.headers)
    ticket = make_ticket(client, headers, acme["id"])
    url = f"/api/v1/tickets/{ticket['id']}"
    board = default_board(client, headers)

    patched = client.patch(
        url,
        json={"assigned_to": str(user.id), "status_id": status_id(board, "In Progress")},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["assigned_to"] == str(user.id)
    created(client.post(f"{url}/comments", json={"body": "looking"}, headers=headers))
    created(client.post(f"{url}/time-entries", json={"minutes": 5}, headers=headers))
    closed = client.post(f"{url}/close", headers=headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_by_user_id"] == str(user.id)

    listed = client.get("/api/v1/tickets", headers=headers).json()
    assert [t["id"] for t in listed] == [ticket["id"]]
    detail = client.get(url, headers=headers).json()
    assert detail["comments"][0]["author_id"] == str(user.id)
    assert detail["time_entries"][0]["user_id"] == str(user.id)
