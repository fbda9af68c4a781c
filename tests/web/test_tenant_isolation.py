"""One tenant's token never reads, changes or references another tenant's data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TenantCtx
from tests.web.api_helpers import (
    Json,
    assert_invalid,
    created,
    default_board,
    make_client,
    make_ticket,
    priority_id,
    status_id,
)


@dataclass
class World:
    a: TenantCtx
    b: TenantCtx
    a_client: Json
    a_ticket: Json
    a_board: Json
    b_client: Json


@pytest.fixture
def world(client: TestClient, make_tenant: Callable[..., TenantCtx]) -> World:
    a, b = make_tenant(), make_tenant()
    a_client = make_client(client, a.headers, "Acme")
    created(
        client.post(
            "/api/v1/assets",
            json={"client_id": a_client["id"], "name": "A-PC"},
            headers=a.headers,
        )
    )
    created(client.post("/api/v1/priorities", json={"name": "A-only"}, headers=a.headers))
    a_ticket = make_ticket(client, a.headers, a_client["id"], title="A's secret")
    b_client = make_client(client, b.headers, "Bravo")
    return World(a, b, a_client, a_ticket, default_board(client, a.headers), b_client)


def test_b_cannot_list_or_read_as_tickets(client: TestClient, world: World) -> None:
    b = world.b.headers
    assert client.get("/api/v1/tickets", headers=b).json() == []
    for params in ({"client_id": world.a_client["id"]}, {"board_id": world.a_board["id"]}):
        assert client.get("/api/v1/tickets", params=params, headers=b).json() == []
    response = client.get(f"/api/v1/tickets/{world.a_ticket['id']}", headers=b)
    assert response.status_code == 404, response.text
    # A still sees its own
    a_list = client.get("/api/v1/tickets", headers=world.a.headers).json()
    assert [t["id"] for t in a_list] == [world.a_ticket["id"]]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"title": "pwned"}),
        ("PATCH", "", {"status_id": "{a-closed}"}),
        ("POST", "/comments", {"body": "pwned"}),
        ("POST", "/time-entries", {"minutes": 5}),
        ("POST", "/close", None),
        ("POST", "/close", {"status_id": "{a-closed}"}),
    ],
)
def test_b_cannot_touch_as_tickets(
    client: TestClient, world: World, method: str, suffix: str, body: Json | None
) -> None:
    if body is not None:
        body = {
            k: status_id(world.a_board, "Closed") if v == "{a-closed}" else v
            for k, v in body.items()
        }
    url = f"/api/v1/tickets/{world.a_ticket['id']}{suffix}"
    response = client.request(method, url, json=body, headers=world.b.headers)
    assert response.status_code == 404, response.text
    after = client.get(f"/api/v1/tickets/{world.a_ticket['id']}", headers=world.a.headers).json()
    assert after["title"] == "A's secret"
    assert after["is_closed"] is False
    assert (after["comments"], after["time_entries"], after["history"]) == ([], [], [])


def _a_ids(client: TestClient, world: World) -> dict[str, str]:
    a = world.a.headers
    users = client.get("/api/v1/users", headers=a).json()
    return {
        "client_id": world.a_client["id"],
        "board_id": world.a_board["id"],
        "status_id": status_id(world.a_board, "New"),
        "priority_id": priority_id(client, a, "A-only"),
        "assigned_to": users[0]["id"],
    }


@pytest.mark.parametrize(
    "field", ["client_id", "board_id", "status_id", "priority_id", "assigned_to"]
)
def test_b_cannot_reference_as_ids(client: TestClient, world: World, field: str) -> None:
    body = {"title": "x", "client_id": world.b_client["id"], field: _a_ids(client, world)[field]}
    response = client.post("/api/v1/tickets", json=body, headers=world.b.headers)
    assert_invalid(response, field)
    assert client.get("/api/v1/tickets", headers=world.b.headers).json() == []


def test_b_cannot_link_as_assets_or_clients(client: TestClient, world: World) -> None:
    a_asset = client.get("/api/v1/assets", headers=world.a.headers).json()[0]
    body = {"title": "x", "client_id": world.b_client["id"], "asset_ids": [a_asset["id"]]}
    response = client.post("/api/v1/tickets", json=body, headers=world.b.headers)
    assert_invalid(response, "asset_ids")
    asset = {"client_id": world.a_client["id"], "name": "sneaky"}
    response = client.post("/api/v1/assets", json=asset, headers=world.b.headers)
    assert_invalid(response, "client_id")


def test_b_cannot_patch_own_ticket_with_as_ids(client: TestClient, world: World) -> None:
    mine = make_ticket(client, world.b.headers, world.b_client["id"])
    ids = _a_ids(client, world)
    for field in ("status_id", "priority_id", "assigned_to"):
        response = client.patch(
            f"/api/v1/tickets/{mine['id']}", json={field: ids[field]}, headers=world.b.headers
        )
        assert_invalid(response, field)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/clients", "name"),
        ("/api/v1/assets", "name"),
        ("/api/v1/boards", "id"),
        ("/api/v1/priorities", "id"),
        ("/api/v1/users", "email"),
        ("/api/v1/tokens", "id"),
    ],
)
def test_lists_only_show_own_data(client: TestClient, world: World, path: str, key: str) -> None:
    a_rows = {r[key] for r in client.get(path, headers=world.a.headers).json()}
    b_rows = {r[key] for r in client.get(path, headers=world.b.headers).json()}
    assert a_rows
    assert not a_rows & b_rows


def test_b_sees_only_its_own_named_rows(client: TestClient, world: World) -> None:
    b = world.b.headers
    assert [c["name"] for c in client.get("/api/v1/clients", headers=b).json()] == ["Bravo"]
    assert client.get("/api/v1/assets", headers=b).json() == []
    assets = client.get("/api/v1/assets", params={"client_id": world.a_client["id"]}, headers=b)
    assert assets.json() == []
    assert "A-only" not in {p["name"] for p in client.get("/api/v1/priorities", headers=b).json()}
    assert [u["email"] for u in client.get("/api/v1/users", headers=b).json()] == [
        world.b.admin.email
    ]


def test_same_client_name_is_fine_in_another_tenant(client: TestClient, world: World) -> None:
    created(client.post("/api/v1/clients", json={"name": "Acme"}, headers=world.b.headers))
