"""Tickets over the API: create with defaults, validate, list, change with history, close."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM
from alertdesk.services.tickets import service as svc
from tests.conftest import TenantCtx
from tests.web.api_helpers import (
    Json,
    assert_invalid,
    created,
    default_board,
    make_board,
    make_client,
    make_ticket,
    priority_id,
    status_id,
)

Tech = tuple[Any, dict[str, str]]
TWO_CLOSED: list[Json] = [
    {"name": "Open", "is_default": True},
    {"name": "Resolved", "is_closed": True},
    {"name": "Cancelled", "is_closed": True},
]


@pytest.fixture
def acme(client: TestClient, tenant: TenantCtx) -> Json:
    return make_client(client, tenant.headers)


def detail(client: TestClient, tenant: TenantCtx, ticket: Json) -> Json:
    response = client.get(f"/api/v1/tickets/{ticket['id']}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


# --- create --------------------------------------------------------------------------------


def test_create_uses_defaults(client: TestClient, tenant: TenantCtx, acme: Json) -> None:
    first = make_ticket(client, tenant.headers, acme["id"], title="  Printer on fire ")
    board = default_board(client, tenant.headers)
    assert first["number"] == "TKT-000001"
    assert first["title"] == "Printer on fire"
    assert first["board_id"] == board["id"]
    assert first["status_id"] == status_id(board, "New")
    assert first["priority_id"] == priority_id(client, tenant.headers, "Medium")
    assert first["source"] == "api"
    assert (first["description"], first["assigned_to"], first["category_id"]) == ("", None, None)
    assert (first["is_closed"], first["closed_at"], first["closed_by_kind"]) == (False, None, None)
    assert make_ticket(client, tenant.headers, acme["id"])["number"] == "TKT-000002"


def test_numbers_are_per_tenant(
    client: TestClient, tenant: TenantCtx, acme: Json, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    other_client = make_client(client, other.headers)
    numbers = [
        make_ticket(client, tenant.headers, acme["id"])["number"],
        make_ticket(client, tenant.headers, acme["id"])["number"],
        make_ticket(client, other.headers, other_client["id"])["number"],
        make_ticket(client, tenant.headers, acme["id"])["number"],
    ]
    assert numbers == ["TKT-000001", "TKT-000002", "TKT-000001", "TKT-000003"]


def test_create_with_every_field(
    client: TestClient, tenant: TenantCtx, acme: Json, technician: Tech
) -> None:
    tech, _ = technician
    board = make_board(client, tenant.headers, "Projects", [*TWO_CLOSED, {"name": "Waiting"}])
    category = created(
        client.post("/api/v1/categories", json={"name": "HW"}, headers=tenant.headers)
    )
    asset = created(
        client.post(
            "/api/v1/assets", json={"client_id": acme["id"], "name": "PC"}, headers=tenant.headers
        )
    )
    fields = {
        "description": "smoke",
        "board_id": board["id"],
        "status_id": status_id(board, "Waiting"),
        "priority_id": priority_id(client, tenant.headers, "Critical"),
        "category_id": category["id"],
        "assigned_to": str(tech.id),
        "source_reference": "INC-9",
    }
    ticket = make_ticket(client, tenant.headers, acme["id"], asset_ids=[asset["id"]], **fields)
    assert {k: ticket[k] for k in fields} == fields
    assert detail(client, tenant, ticket)["asset_ids"] == [asset["id"]]


@pytest.mark.parametrize(
    "field",
    ["client_id", "board_id", "status_id", "priority_id", "category_id", "assigned_to"],
)
def test_unknown_ids_are_422_naming_the_field(
    client: TestClient, tenant: TenantCtx, acme: Json, field: str
) -> None:
    body = {"title": "x", "client_id": acme["id"], field: str(uuid.uuid4())}
    assert_invalid(client.post("/api/v1/tickets", json=body, headers=tenant.headers), field)
    # nothing was created and no number was used up
    assert client.get("/api/v1/tickets", headers=tenant.headers).json() == []
    assert make_ticket(client, tenant.headers, acme["id"])["number"] == "TKT-000001"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "client_id"),
        ({"title": "x", "client_id": "acme"}, "client_id"),
        ({"client_id": "{acme}"}, "title"),
        ({"title": "", "client_id": "{acme}"}, "title"),
        ({"title": "   ", "client_id": "{acme}"}, "title"),
        ({"title": "x", "client_id": "{acme}", "asset_ids": ["{new}"]}, "asset_ids"),
        ({"title": "x", "client_id": "{acme}", "asset_ids": ["{globex_asset}"]}, "asset_ids"),
        ({"title": "x", "client_id": "{acme}", "source": "manual"}, "source"),
    ],
)
def test_create_validation(
    client: TestClient, tenant: TenantCtx, acme: Json, body: Json, field: str
) -> None:
    globex = created(
        client.post("/api/v1/clients", json={"name": "Globex"}, headers=tenant.headers)
    )
    globex_asset = created(
        client.post(
            "/api/v1/assets",
            json={"client_id": globex["id"], "name": "G-PC"},
            headers=tenant.headers,
        )
    )
    names = {"{acme}": acme["id"], "{new}": str(uuid.uuid4()), "{globex_asset}": globex_asset["id"]}

    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        return names.get(value, value)

    sent = {k: fill(v) for k, v in body.items()}
    assert_invalid(client.post("/api/v1/tickets", json=sent, headers=tenant.headers), field)
    assert client.get("/api/v1/tickets", headers=tenant.headers).json() == []


@pytest.mark.parametrize(
    ("board_name", "status_name"),
    [("Projects", "Open"), ("Service Desk", "Closed")],
    ids=["status-of-another-board", "closed-status"],
)
def test_create_rejects_unusable_status(
    client: TestClient, tenant: TenantCtx, acme: Json, board_name: str, status_name: str
) -> None:
    make_board(client, tenant.headers, "Projects", TWO_CLOSED)
    boards = {b["name"]: b for b in client.get("/api/v1/boards", headers=tenant.headers).json()}
    body = {
        "title": "x",
        "client_id": acme["id"],
        "status_id": status_id(boards[board_name], status_name),
    }
    assert_invalid(client.post("/api/v1/tickets", json=body, headers=tenant.headers), "status_id")


def test_deactivated_assignee_is_422(
    client: TestClient, tenant: TenantCtx, acme: Json, technician: Tech, session: Session
) -> None:
    tech, _ = technician
    tech.is_active = False
    session.flush()
    body = {"title": "x", "client_id": acme["id"], "assigned_to": str(tech.id)}
    assert_invalid(client.post("/api/v1/tickets", json=body, headers=tenant.headers), "assigned_to")


def test_unknown_ticket_is_404(client: TestClient, tenant: TenantCtx) -> None:
    response = client.get(f"/api/v1/tickets/{uuid.uuid4()}", headers=tenant.headers)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"title": "x"}),
        ("POST", "/comments", {"body": "x"}),
        ("POST", "/time-entries", {"minutes": 1}),
        ("POST", "/close", None),
    ],
)
def test_malformed_uuid_in_path_is_422(
    client: TestClient, tenant: TenantCtx, method: str, suffix: str, body: Json | None
) -> None:
    url = f"/api/v1/tickets/not-a-uuid{suffix}"
    response = client.request(method, url, json=body, headers=tenant.headers)
    assert_invalid(response, "ticket_id")


# --- list ----------------------------------------------------------------------------------


def test_list_filters(client: TestClient, tenant: TenantCtx, acme: Json, session: Session) -> None:
    h = tenant.headers
    other = make_client(client, h, "Other")
    board = make_board(client, h, "Projects", TWO_CLOSED)
    t = {
        "acme": make_ticket(client, h, acme["id"]),
        "other": make_ticket(client, h, other["id"]),
        "projects": make_ticket(client, h, acme["id"], board_id=board["id"]),
    }
    manual = svc.NewTicket(title="by hand", client_id=uuid.UUID(other["id"]))
    t["manual"] = {
        "id": str(svc.create_ticket(session, tenant.id, manual, SYSTEM, datetime.now(UTC)).id)
    }
    session.flush()
    assert client.post(f"/api/v1/tickets/{t['other']['id']}/close", headers=h).status_code == 200

    cases: list[tuple[dict[str, str], set[str]]] = [
        ({}, {"acme", "other", "projects", "manual"}),
        ({"status": "open"}, {"acme", "projects", "manual"}),
        ({"status": "closed"}, {"other"}),
        ({"client_id": other["id"]}, {"other", "manual"}),
        ({"client_id": other["id"], "status": "open"}, {"manual"}),
        ({"board_id": board["id"]}, {"projects"}),
        ({"source": "manual"}, {"manual"}),
        ({"source": "api"}, {"acme", "other", "projects"}),
        ({"client_id": str(uuid.uuid4())}, set()),
    ]
    names = {v["id"]: k for k, v in t.items()}
    for params, expected in cases:
        response = client.get("/api/v1/tickets", params=params, headers=h)
        assert response.status_code == 200, response.text
        assert {names[r["id"]] for r in response.json()} == expected, params


@pytest.mark.parametrize("params", [{"status": "pending"}, {"client_id": "x"}, {"limit": "0"}])
def test_list_rejects_bad_filters(client: TestClient, tenant: TenantCtx, params: Json) -> None:
    response = client.get("/api/v1/tickets", params=params, headers=tenant.headers)
    assert response.status_code == 422, response.text
