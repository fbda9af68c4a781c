"""The ticket pages: list filters, the ticket workspace, form errors, tenant isolation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TenantCtx
from tests.web.ui_support import (
    api_client,
    api_detail,
    api_ticket,
    api_tickets,
    page_token,
    priority_ids,
    sign_in,
    status_ids,
    text_of,
    titles,
)


@dataclass
class Desk:
    acme: str
    globex: str
    projects_board: str
    printer: dict[str, Any]
    disk: dict[str, Any]
    backup: dict[str, Any]


@pytest.fixture
def desk(client: TestClient, tenant: TenantCtx) -> Desk:
    """Three tickets: two open (two clients, two boards) and one closed; admin signed in."""
    acme, globex = api_client(client, tenant, "Acme"), api_client(client, tenant, "Globex")
    board = client.post(
        "/api/v1/boards",
        json={"name": "Projects", "statuses": [{"name": "Todo", "is_default": True},
                                               {"name": "Done", "is_closed": True}]},
        headers=tenant.headers,
    )  # fmt: skip
    assert board.status_code == 201, board.text
    printer = api_ticket(client, tenant, acme, "Printer on fire")
    disk = api_ticket(client, tenant, globex, "Disk full on SRV01", board_id=board.json()["id"])
    backup = api_ticket(client, tenant, acme, "Backup failed")
    closed = client.post(f"/api/v1/tickets/{backup['id']}/close", headers=tenant.headers)
    assert closed.status_code == 200, closed.text
    sign_in(client, tenant.admin.email)
    return Desk(acme, globex, board.json()["id"], printer, disk, backup)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Disk full on SRV01", "Printer on fire"]),
        ({"status": "open"}, ["Disk full on SRV01", "Printer on fire"]),
        ({"status": "closed"}, ["Backup failed"]),
        ({"status": "all"}, ["Backup failed", "Disk full on SRV01", "Printer on fire"]),
        ({"status": "all", "board_id": "projects"}, ["Disk full on SRV01"]),
        ({"status": "all", "client_id": "acme"}, ["Backup failed", "Printer on fire"]),
        ({"status": "open", "client_id": "acme"}, ["Printer on fire"]),
        ({"status": "all", "q": "disk"}, ["Disk full on SRV01"]),
        ({"status": "all", "q": "PRINTER"}, ["Printer on fire"]),
        ({"status": "closed", "q": "printer"}, []),
    ],
)
def test_list_filters_show_the_right_rows(
    client: TestClient, desk: Desk, query: dict[str, str], expected: list[str]
) -> None:
    ids = {"projects": desk.projects_board, "acme": desk.acme}
    params = {key: ids.get(value, value) for key, value in query.items()}
    page = client.get("/ui/tickets", params=params)
    assert page.status_code == 200
    assert titles(page.text) == expected
    if not expected:
        assert "No tickets here" in page.text


def test_list_finds_a_ticket_by_number_and_keeps_the_filters(
    client: TestClient, desk: Desk
) -> None:
    number = desk.printer["number"]
    page = client.get("/ui/tickets", params={"q": number, "client_id": desk.acme}).text
    assert titles(page) == ["Printer on fire"]
    assert f'value="{number}"' in page
    assert f'<option value="{desk.acme}" selected>Acme</option>' in page


def test_list_rows_show_client_status_and_priority(client: TestClient, desk: Desk) -> None:
    text = text_of(client.get("/ui/tickets", params={"status": "all"}).text)
    assert f"{desk.printer['number']} Printer on fire api Acme New Medium" in text
    assert "Backup failed api Acme Closed Medium" in text
    assert "3 tickets" in text


def test_htmx_filtering_returns_only_the_rows(client: TestClient, desk: Desk) -> None:
    headers = {"HX-Request": "true", "HX-Target": "ticket-rows"}
    part = client.get("/ui/tickets", params={"status": "closed"}, headers=headers)
    assert part.status_code == 200
    assert "<html" not in part.text
    assert part.text.lstrip().startswith('<div id="ticket-rows"')
    assert titles(part.text) == ["Backup failed"]
    assert "1 ticket" in text_of(part.text)


def test_detail_shows_comments_history_and_time(
    client: TestClient, tenant: TenantCtx, desk: Desk
) -> None:
    ticket, h = desk.printer["id"], tenant.headers
    statuses, priorities = status_ids(client, tenant), priority_ids(client, tenant)
    for body, internal in (("Toner is smoking", True), ("We are on our way", False)):
        posted = client.post(
            f"/api/v1/tickets/{ticket}/comments",
            json={"body": body, "is_internal": internal},
            headers=h,
        )
        assert posted.status_code == 201
    for minutes in (25, 50):
        posted = client.post(
            f"/api/v1/tickets/{ticket}/time-entries", json={"minutes": minutes}, headers=h
        )
        assert posted.status_code == 201
    patch = {
        "status_id": statuses["In Progress"],
        "priority_id": priorities["High"],
        "assigned_to": str(tenant.admin.id),
    }
    assert client.patch(f"/api/v1/tickets/{ticket}", json=patch, headers=h).status_code == 200

    page = client.get(f"/ui/tickets/{ticket}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert f"{desk.printer['number']} In Progress" in text
    assert "Printer on fire" in text
    assert "Acme · Service Desk" in text
    assert "Administrator Internal" in text
    assert "Toner is smoking" in text
    assert "Administrator Public" in text
    assert "We are on our way" in text
    assert "changed status from New to In Progress" in text
    assert "changed priority from Medium to High" in text
    assert "changed assignee from nobody to Administrator" in text
    assert "Time 1h 15m" in text
    assert "25m Administrator" in text


def test_detail_of_a_closed_ticket_says_who_closed_it(client: TestClient, desk: Desk) -> None:
    page = client.get(f"/ui/tickets/{desk.backup['id']}")
    text = text_of(page.text)
    assert "by Administrator." in text
    assert "Close ticket" not in text


def _post(client: TestClient, ticket: dict[str, Any], action: str, **form: str) -> Any:
    token = page_token(client, f"/ui/tickets/{ticket['id']}")
    path = f"/ui/tickets/{ticket['id']}/{action}"
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)


@pytest.mark.parametrize(
    ("action", "form", "message"),
    [
        ("time-entries", {"minutes": "abc"}, "Enter the time spent in whole minutes."),
        ("time-entries", {"minutes": "0"}, "Minutes must be between 1 and 1440."),
        ("time-entries", {"minutes": "-5"}, "Enter the time spent in whole minutes."),
        ("time-entries", {"minutes": "1441"}, "Minutes must be between 1 and 1440."),
        ("comments", {"body": "   "}, "The comment must not be empty."),
        ("fields", {"status_id": "not-an-id"}, "status_id is not a valid id."),
    ],
)
def test_bad_values_show_the_page_with_an_error_and_change_nothing(
    client: TestClient,
    tenant: TenantCtx,
    desk: Desk,
    action: str,
    form: dict[str, str],
    message: str,
) -> None:
    response = _post(client, desk.printer, action, **form)
    assert 400 <= response.status_code < 500
    assert message in text_of(response.text)
    assert 'role="alert"' in response.text
    assert "Printer on fire" in response.text  # the ticket page, not a bare error
    assert response.headers["hx-push-url"] == "false"  # the address bar keeps the ticket's
    detail = api_detail(client, tenant, desk.printer["id"])
    assert (detail["comments"], detail["time_entries"], detail["history"]) == ([], [], [])


def test_what_was_typed_is_kept_after_an_error(client: TestClient, desk: Desk) -> None:
    response = _post(client, desk.printer, "time-entries", minutes="ten", note="Swapped toner")
    assert response.status_code == 422
    assert 'value="Swapped toner"' in response.text
    assert 'value="ten" aria-invalid="true"' in response.text
    response = _post(client, desk.printer, "comments", body=" ", visibility="public")
    assert 'value="public" checked' in response.text


def test_refused_changes_say_why(client: TestClient, desk: Desk) -> None:
    response = _post(client, desk.printer, "fields", status_id=desk.disk["status_id"])
    assert response.status_code == 422
    assert "That status belongs to another board." in response.text
    response = _post(client, desk.backup, "close")
    assert response.status_code == 409
    assert f"Ticket {desk.backup['number']} is already closed." in response.text


def test_working_a_ticket_through_the_forms(
    client: TestClient, tenant: TenantCtx, desk: Desk
) -> None:
    statuses = status_ids(client, tenant)
    ticket = desk.printer
    steps: list[tuple[str, dict[str, str]]] = [
        ("comments", {"body": "Checked the fuser", "visibility": "public"}),
        ("time-entries", {"minutes": "25", "note": "onsite"}),
        ("fields", {"status_id": statuses["In Progress"], "assigned_to": str(tenant.admin.id)}),
        ("close", {}),
    ]
    for action, form in steps:
        response = _post(client, ticket, action, **form)
        assert response.status_code == 303, (action, response.text)
        assert response.headers["location"].startswith(f"/ui/tickets/{ticket['id']}")
    detail = api_detail(client, tenant, ticket["id"])
    assert [(c["body"], c["is_internal"]) for c in detail["comments"]] == [
        ("Checked the fuser", False)
    ]
    assert detail["total_minutes"] == 25
    assert (detail["is_closed"], detail["closed_by_kind"]) == (True, "user")
    assert [h["field"] for h in detail["history"]] == ["assignee", "status", "status"]


def test_another_tenants_ticket_is_not_found(
    client: TestClient, make_tenant: Callable[..., TenantCtx], desk: Desk
) -> None:
    other = make_tenant()
    theirs = api_ticket(client, other, api_client(client, other, "Initech"), "Their secret")
    page = client.get(f"/ui/tickets/{theirs['id']}")
    assert page.status_code == 404
    assert "Not found" in page.text
    assert "Their secret" not in page.text
    assert "Sign out" in page.text
    token = page_token(client)
    response = client.post(
        f"/ui/tickets/{theirs['id']}/comments", data={"csrf_token": token, "body": "hello"}
    )
    assert response.status_code == 404
    assert "Sign out" in response.text  # still inside the workspace
    assert api_detail(client, other, theirs["id"])["comments"] == []
    assert "Their secret" not in client.get("/ui/tickets", params={"status": "all"}).text


def test_a_malformed_ticket_id_is_not_found(client: TestClient, desk: Desk) -> None:
    page = client.get("/ui/tickets/not-a-ticket-id")
    assert page.status_code == 404
    assert "no such page" in page.text


def test_new_ticket_form_creates_a_ticket(
    client: TestClient, tenant: TenantCtx, desk: Desk
) -> None:
    page = client.get("/ui/tickets/new")
    assert page.status_code == 200
    assert "Choose a client" in page.text
    form = {
        "csrf_token": page_token(client, "/ui/tickets/new"),
        "title": "VPN keeps dropping",
        "client_id": desk.globex,
        "description": "Since Monday",
        "priority_id": priority_ids(client, tenant)["High"],
        "assigned_to": str(tenant.admin.id),
    }
    response = client.post("/ui/tickets", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    created = next(t for t in api_tickets(client, tenant) if t["title"] == "VPN keeps dropping")
    assert response.headers["location"] == f"/ui/tickets/{created['id']}"
    assert created["source"] == "manual"
    assert created["assigned_to"] == str(tenant.admin.id)
    text = text_of(client.get(response.headers["location"]).text)
    for expected in ("VPN keeps dropping", "Since Monday", "Globex"):
        assert expected in text


@pytest.mark.parametrize(
    ("form", "message", "field"),
    [
        ({"title": "No client here"}, "Choose a client.", "client_id"),
        ({"title": "   ", "client_id": "acme"}, "The title must not be empty.", "title"),
    ],
)
def test_new_ticket_errors_keep_the_form(
    client: TestClient,
    tenant: TenantCtx,
    desk: Desk,
    form: dict[str, str],
    message: str,
    field: str,
) -> None:
    before = len(api_tickets(client, tenant))
    data = {k: desk.acme if v == "acme" else v for k, v in form.items()}
    data |= {"csrf_token": page_token(client, "/ui/tickets/new"), "description": "Kept text"}
    response = client.post("/ui/tickets", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert message in response.text
    assert "Kept text" in response.text
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', response.text)
    assert response.headers["hx-push-url"] == "false"
    assert len(api_tickets(client, tenant)) == before
