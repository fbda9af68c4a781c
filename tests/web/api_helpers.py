"""Small helpers shared by the REST API tests: create reference data, read 422 details."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

Json = dict[str, Any]


def error_locs(response: httpx.Response) -> list[list[str | int]]:
    """The `loc` of every entry in a 422 body (FastAPI validation and domain InvalidField)."""
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return [list(entry["loc"]) for entry in detail]


def assert_invalid(response: httpx.Response, field: str) -> None:
    """A 422 whose detail points at `field` (anywhere in the loc path)."""
    assert response.status_code == 422, response.text
    locs = error_locs(response)
    assert any(field in loc for loc in locs), locs


def created(response: httpx.Response) -> Json:
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


def make_client(client: TestClient, headers: dict[str, str], name: str = "Acme") -> Json:
    return created(client.post("/api/v1/clients", json={"name": name}, headers=headers))


def make_ticket(
    client: TestClient,
    headers: dict[str, str],
    client_id: str,
    title: str = "Printer on fire",
    **extra: Any,
) -> Json:
    body = {"title": title, "client_id": client_id, **extra}
    return created(client.post("/api/v1/tickets", json=body, headers=headers))


def default_board(client: TestClient, headers: dict[str, str]) -> Json:
    boards = client.get("/api/v1/boards", headers=headers).json()
    board: Json = next(b for b in boards if b["is_default"])
    return board


def status_id(board: Json, name: str) -> str:
    found: str = next(s["id"] for s in board["statuses"] if s["name"] == name)
    return found


def priority_id(client: TestClient, headers: dict[str, str], name: str) -> str:
    priorities = client.get("/api/v1/priorities", headers=headers).json()
    found: str = next(p["id"] for p in priorities if p["name"] == name)
    return found


def make_board(
    client: TestClient, headers: dict[str, str], name: str, statuses: list[Json]
) -> Json:
    return created(
        client.post("/api/v1/boards", json={"name": name, "statuses": statuses}, headers=headers)
    )
