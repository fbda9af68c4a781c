"""Working a ticket over the API: PATCH with history, close/reopen, comments, time entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.storage.models import User
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

Tech = tuple[User, dict[str, str]]
TWO_CLOSED: list[Json] = [
    {"name": "Open", "is_default": True},
    {"name": "Resolved", "is_closed": True},
    {"name": "Cancelled", "is_closed": True},
]


@pytest.fixture
def ticket(client: TestClient, tenant: TenantCtx) -> Json:
    return make_ticket(client, tenant.headers, make_client(client, tenant.headers)["id"])


@pytest.fixture
def board(client: TestClient, tenant: TenantCtx) -> Json:
    return default_board(client, tenant.headers)


def url(ticket: Json, suffix: str = "") -> str:
    return f"/api/v1/tickets/{ticket['id']}{suffix}"


def patch(client: TestClient, tenant: TenantCtx, ticket: Json, body: Json) -> Json:
    response = client.patch(url(ticket), json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


def history(client: TestClient, tenant: TenantCtx, ticket: Json) -> list[Json]:
    rows: list[Json] = client.get(url(ticket), headers=tenant.headers).json()["history"]
    return rows


# --- PATCH ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "history_field"),
    [("status_id", "status"), ("priority_id", "priority"), ("assigned_to", "assignee")],
)
def test_patch_records_history_with_the_actor(
    client: TestClient,
    tenant: TenantCtx,
    ticket: Json,
    board: Json,
    technician: Tech,
    key: str,
    history_field: str,
) -> None:
    new_value = {
        "status_id": status_id(board, "In Progress"),
        "priority_id": priority_id(client, tenant.headers, "High"),
        "assigned_to": str(technician[0].id),
    }[key]
    changed = patch(client, tenant, ticket, {key: new_value})
    assert changed[key] == new_value
    assert datetime.fromisoformat(changed["updated_at"]) > datetime.fromisoformat(
        ticket["updated_at"]
    )
    [row] = history(client, tenant, ticket)
    assert row["field"] == history_field
    assert (row["old_value"], row["new_value"]) == (ticket[key], new_value)
    assert row["actor_kind"] == "user"
    assert row["actor_user_id"] == str(tenant.admin.id)


def test_patch_to_the_same_value_records_nothing(
    client: TestClient, tenant: TenantCtx, ticket: Json
) -> None:
    same = {k: ticket[k] for k in ("status_id", "priority_id")}
    patch(client, tenant, ticket, same)
    assert history(client, tenant, ticket) == []


def test_patch_title(client: TestClient, tenant: TenantCtx, ticket: Json) -> None:
    changed = patch(client, tenant, ticket, {"title": "  Printer fixed "})
    assert changed["title"] == "Printer fixed"
    assert changed["status_id"] == ticket["status_id"]
    assert client.get(url(ticket), headers=tenant.headers).json()["title"] == "Printer fixed"


def test_unassign_with_explicit_null(
    client: TestClient, tenant: TenantCtx, ticket: Json, technician: Tech
) -> None:
    tech_id = str(technician[0].id)
    patch(client, tenant, ticket, {"assigned_to": tech_id})
    # leaving assigned_to out keeps the assignee
    assert patch(client, tenant, ticket, {"title": "still mine"})["assigned_to"] == tech_id
    assert patch(client, tenant, ticket, {"assigned_to": None})["assigned_to"] is None
    rows = [(r["old_value"], r["new_value"]) for r in history(client, tenant, ticket)]
    assert sorted(rows, key=str) == sorted([(None, tech_id), (tech_id, None)], key=str)


def test_patch_to_closed_status_closes_and_back_reopens(
    client: TestClient, tenant: TenantCtx, ticket: Json, board: Json
) -> None:
    closed = patch(client, tenant, ticket, {"status_id": status_id(board, "Closed")})
    assert closed["is_closed"] is True
    assert closed["closed_at"] is not None
    assert closed["closed_by_kind"] == "user"
    assert closed["closed_by_user_id"] == str(tenant.admin.id)
    closed_list = client.get("/api/v1/tickets?status=closed", headers=tenant.headers).json()
    assert [t["id"] for t in closed_list] == [ticket["id"]]

    reopened = patch(client, tenant, ticket, {"status_id": status_id(board, "In Progress")})
    assert reopened["is_closed"] is False
    assert (reopened["closed_at"], reopened["closed_by_kind"]) == (None, None)
    assert reopened["closed_by_user_id"] is None
    open_list = client.get("/api/v1/tickets?status=open", headers=tenant.headers).json()
    assert [t["id"] for t in open_list] == [ticket["id"]]
    assert [r["field"] for r in history(client, tenant, ticket)] == ["status", "status"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status_id": "{other-board}"}, "status_id"),
        ({"status_id": "{new}"}, "status_id"),
        ({"priority_id": "{new}"}, "priority_id"),
        ({"assigned_to": "{new}"}, "assigned_to"),
        ({"title": ""}, "title"),
        ({"board_id": "{new}"}, "board_id"),
    ],
)
def test_patch_validation(
    client: TestClient, tenant: TenantCtx, ticket: Json, body: Json, field: str
) -> None:
    projects = make_board(client, tenant.headers, "Projects", TWO_CLOSED)
    fills = {"{other-board}": status_id(projects, "Open"), "{new}": str(uuid.uuid4())}
    sent = {k: fills.get(v, v) for k, v in body.items()}
    assert_invalid(client.patch(url(ticket), json=sent, headers=tenant.headers), field)
    after = client.get(url(ticket), headers=tenant.headers).json()
    assert {k: after[k] for k in ticket} == ticket
    assert after["history"] == []


# --- close ---------------------------------------------------------------------------------


@pytest.fixture
def project_ticket(client: TestClient, tenant: TenantCtx) -> tuple[Json, Json]:
    projects = make_board(client, tenant.headers, "Projects", TWO_CLOSED)
    acme = make_client(client, tenant.headers, "Projects Client")
    return make_ticket(client, tenant.headers, acme["id"], board_id=projects["id"]), projects


@pytest.mark.parametrize(("chosen", "expected"), [(None, "Resolved"), ("Cancelled", "Cancelled")])
def test_close_picks_the_status(
    client: TestClient,
    tenant: TenantCtx,
    project_ticket: tuple[Json, Json],
    chosen: str | None,
    expected: str,
) -> None:
    ticket, projects = project_ticket
    body: Any = None if chosen is None else {"status_id": status_id(projects, chosen)}
    response = client.post(url(ticket, "/close"), json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    closed = response.json()
    assert closed["status_id"] == status_id(projects, expected)
    assert closed["is_closed"] is True
    assert (closed["closed_by_kind"], closed["closed_by_user_id"]) == ("user", str(tenant.admin.id))
    [row] = history(client, tenant, ticket)
    assert (row["field"], row["new_value"], row["actor_kind"]) == (
        "status",
        closed["status_id"],
        "user",
    )


@pytest.mark.parametrize("which", ["Open", "other-board", "unknown"])
def test_close_with_unusable_status_is_422(
    client: TestClient,
    tenant: TenantCtx,
    project_ticket: tuple[Json, Json],
    board: Json,
    which: str,
) -> None:
    ticket, projects = project_ticket
    status = {
        "Open": status_id(projects, "Open"),
        "other-board": status_id(board, "Closed"),
        "unknown": str(uuid.uuid4()),
    }[which]
    response = client.post(
        url(ticket, "/close"), json={"status_id": status}, headers=tenant.headers
    )
    assert_invalid(response, "status_id")
    assert client.get(url(ticket), headers=tenant.headers).json()["is_closed"] is False


def test_closing_twice_is_409(client: TestClient, tenant: TenantCtx, ticket: Json) -> None:
    assert client.post(url(ticket, "/close"), headers=tenant.headers).status_code == 200
    again = client.post(url(ticket, "/close"), headers=tenant.headers)
    assert again.status_code == 409, again.text
    assert ticket["number"] in again.json()["detail"]
    assert len(history(client, tenant, ticket)) == 1


# --- comments and time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "internal"),
    [({"body": "note"}, True), ({"body": "reply", "is_internal": False}, False)],
)
def test_comment(
    client: TestClient, tenant: TenantCtx, ticket: Json, body: Json, internal: bool
) -> None:
    comment = created(client.post(url(ticket, "/comments"), json=body, headers=tenant.headers))
    assert comment["body"] == body["body"]
    assert comment["is_internal"] is internal
    assert comment["is_system"] is False
    assert comment["author_id"] == str(tenant.admin.id)
    [stored] = client.get(url(ticket), headers=tenant.headers).json()["comments"]
    assert stored == comment


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "   "}, {}])
def test_empty_comment_is_422(
    client: TestClient, tenant: TenantCtx, ticket: Json, body: Json
) -> None:
    assert_invalid(client.post(url(ticket, "/comments"), json=body, headers=tenant.headers), "body")
    assert client.get(url(ticket), headers=tenant.headers).json()["comments"] == []


@pytest.mark.parametrize("minutes", [0, -5, 1441, 10_000])
def test_time_entry_minutes_out_of_range_is_422(
    client: TestClient, tenant: TenantCtx, ticket: Json, minutes: int
) -> None:
    response = client.post(
        url(ticket, "/time-entries"), json={"minutes": minutes}, headers=tenant.headers
    )
    assert_invalid(response, "minutes")
    assert client.get(url(ticket), headers=tenant.headers).json()["total_minutes"] == 0


def test_time_entries_add_up(
    client: TestClient, tenant: TenantCtx, ticket: Json, technician: Tech
) -> None:
    tech, tech_headers = technician
    entries = [(tenant.headers, 1, "triage"), (tech_headers, 1440, ""), (tenant.headers, 30, "x")]
    for headers, minutes, note in entries:
        entry = created(
            client.post(
                url(ticket, "/time-entries"),
                json={"minutes": minutes, "note": note},
                headers=headers,
            )
        )
        assert (entry["minutes"], entry["note"]) == (minutes, note)
    found = client.get(url(ticket), headers=tenant.headers).json()
    assert found["total_minutes"] == 1471
    by_user = sorted((e["user_id"], e["minutes"]) for e in found["time_entries"])
    admin = str(tenant.admin.id)
    assert by_user == sorted([(admin, 1), (str(tech.id), 1440), (admin, 30)])


@pytest.mark.parametrize(
    ("suffix", "body"),
    [("/comments", {"body": "x"}), ("/time-entries", {"minutes": 1}), ("/close", None)],
)
def test_work_on_unknown_ticket_is_404(
    client: TestClient, tenant: TenantCtx, suffix: str, body: Json | None
) -> None:
    response = client.post(url({"id": uuid.uuid4()}, suffix), json=body, headers=tenant.headers)
    assert response.status_code == 404, response.text
