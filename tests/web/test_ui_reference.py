"""Admins manage reference data in the browser: clients, assets with their RMM device ids, users,
boards with statuses and priorities; refusals are shown at their field, with what was typed."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from alertdesk.storage.models import User
from tests.conftest import PASSWORD, TenantCtx
from tests.web.api_helpers import Json, created, make_client
from tests.web.ui_support import login, page_token, sign_in, text_of

SETTINGS = "/ui/settings"
SECTIONS = ("clients", "assets", "users", "boards", "priorities")


@pytest.fixture
def admin(client: TestClient, tenant: TenantCtx) -> TenantCtx:
    sign_in(client, tenant.admin.email)
    return tenant


def submit(client: TestClient, url: str, **fields: Any) -> httpx.Response:
    body = {"csrf_token": page_token(client), **fields}
    response: httpx.Response = client.post(url, data=body, follow_redirects=False)
    return response


def saved(response: httpx.Response, to: str) -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == to


def refused_at(response: httpx.Response, field_id: str, message: str) -> str:
    """A 422 page showing `message` beside the input `field_id`, which is marked invalid."""
    assert response.status_code == 422, response.text
    page = response.text
    control = re.search(rf'<(?:input|select)[^>]*id="{re.escape(field_id)}"[^>]*>', page)
    assert control is not None, f"no control {field_id}"
    assert 'aria-invalid="true"' in control.group(0), control.group(0)
    error = re.search(rf'<span class="field-error" id="{re.escape(field_id)}-error">([^<]*)<', page)
    assert error is not None, f"no error shown at {field_id}"
    assert message in error.group(1), error.group(1)
    return page


def api(client: TestClient, tenant: TenantCtx, path: str) -> Any:
    response = client.get(f"/api/v1/{path}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


def value_of(page: str, field_id: str) -> str:
    control = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*value="([^"]*)"', page)
    assert control is not None, f"no input {field_id}"
    return control.group(1)


# --- the pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("section", SECTIONS)
def test_each_page_opens_in_the_settings_shell(
    client: TestClient, admin: TenantCtx, section: str
) -> None:
    page = client.get(f"{SETTINGS}/{section}")
    assert page.status_code == 200, page.text
    assert f'href="{SETTINGS}/{section}" class="active" aria-current="page"' in page.text


def test_empty_lists_say_what_to_do(client: TestClient, admin: TenantCtx) -> None:
    assert "No clients yet" in client.get(f"{SETTINGS}/clients").text
    assets = text_of(client.get(f"{SETTINGS}/assets").text)
    assert "No clients yet" in assets
    assert "add a client first" in assets
    make_client(client, admin.headers, "Acme")
    assert "No assets yet" in client.get(f"{SETTINGS}/assets").text


def test_technicians_get_403_everywhere(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    tech, _ = technician
    acme = make_client(client, tenant.headers, "Acme")
    sign_in(client, tech.email)
    token = page_token(client)
    for section in SECTIONS:
        page = client.get(f"{SETTINGS}/{section}")
        assert page.status_code == 403, section
        assert "Only admins" in page.text
    posts = [
        (f"{SETTINGS}/clients", {"name": "Mine"}),
        (f"{SETTINGS}/clients/{acme['id']}", {"name": "Mine"}),
        (f"{SETTINGS}/users/{tech.id}", {"name": "Boss", "role": "admin"}),
        (f"{SETTINGS}/users/{tenant.admin.id}/deactivate", {}),
        (f"{SETTINGS}/priorities", {"name": "Mine"}),
    ]
    for url, fields in posts:
        response = client.post(url, data={"csrf_token": token, **fields})
        assert response.status_code == 403, url
    assert [c["name"] for c in api(client, tenant, "clients")] == ["Acme"]
    assert api(client, tenant, "users")[0]["is_active"] is True


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        (f"{SETTINGS}/clients", {"name": "Acme"}),
        (f"{SETTINGS}/priorities", {"name": "Someday"}),
        (f"{SETTINGS}/users", {"email": "x@example.com", "password": PASSWORD}),
        (f"{SETTINGS}/boards", {"name": "B", "status-0-name": "Open", "default": "0"}),
    ],
)
def test_posts_without_the_csrf_token_are_refused(
    client: TestClient, admin: TenantCtx, url: str, fields: dict[str, str]
) -> None:
    response = client.post(url, data=fields)
    assert response.status_code == 403
    assert "form expired" in response.text
    wrong = client.post(url, data={**fields, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert api(client, admin, "clients") == []
    assert len(api(client, admin, "priorities")) == 4
    assert len(api(client, admin, "users")) == 1
    assert len(api(client, admin, "boards")) == 1


def test_another_tenants_rows_are_not_found(
    client: TestClient, admin: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    theirs = make_client(client, other.headers, "Theirs")
    asset = created(
        client.post(
            "/api/v1/assets", json={"client_id": theirs["id"], "name": "PC"}, headers=other.headers
        )
    )
    board = api(client, other, "boards")[0]
    priority = api(client, other, "priorities")[0]
    pages = [
        f"clients/{theirs['id']}",
        f"assets/{asset['id']}",
        f"users/{other.admin.id}",
        f"boards/{board['id']}",
        f"priorities/{priority['id']}",
        f"clients/{uuid.uuid4()}",
    ]
    for path in pages:
        assert client.get(f"{SETTINGS}/{path}").status_code == 404, path
    posts = [
        (f"clients/{theirs['id']}", {"name": "Stolen"}),
        (f"assets/{asset['id']}", {"client_id": theirs["id"], "name": "Stolen"}),
        (f"users/{other.admin.id}", {"name": "Stolen"}),
        (f"users/{other.admin.id}/deactivate", {}),
        (f"boards/{board['id']}", {"name": "Stolen"}),
        (f"boards/{board['id']}/statuses", {"name": "Stolen"}),
        (f"boards/{board['id']}/default", {}),
        (f"priorities/{priority['id']}", {"name": "Stolen"}),
    ]
    for path, fields in posts:
        response = submit(client, f"{SETTINGS}/{path}", **fields)
        assert response.status_code == 404, (path, response.text)
        assert "alertdesk" in response.text  # the error page, in the workspace
    assert api(client, other, "clients")[0]["name"] == "Theirs"
    assert api(client, other, "assets")[0]["name"] == "PC"
    assert api(client, other, "users")[0]["is_active"] is True
    assert api(client, other, "boards") == [board]
    assert api(client, other, "priorities")[0] == priority


# --- clients -------------------------------------------------------------------------------


def test_add_and_rename_a_client(client: TestClient, admin: TenantCtx) -> None:
    saved(submit(client, f"{SETTINGS}/clients", name=" Acme Dental "), f"{SETTINGS}/clients")
    [acme] = api(client, admin, "clients")
    assert acme["name"] == "Acme Dental"
    created(
        client.post(
            "/api/v1/assets", json={"client_id": acme["id"], "name": "PC"}, headers=admin.headers
        )
    )
    listing = text_of(client.get(f"{SETTINGS}/clients").text)
    assert "Acme Dental 1 asset" in listing
    edit = client.get(f"{SETTINGS}/clients/{acme['id']}")
    assert value_of(edit.text, "client-name") == "Acme Dental"
    renamed = submit(client, f"{SETTINGS}/clients/{acme['id']}", name="Acme Dental Group")
    saved(renamed, f"{SETTINGS}/clients")
    assert [c["name"] for c in api(client, admin, "clients")] == ["Acme Dental Group"]


def test_client_errors_are_shown_at_the_name(client: TestClient, admin: TenantCtx) -> None:
    empty = submit(client, f"{SETTINGS}/clients", name="  ")
    refused_at(empty, "client-name", "must not be empty")
    make_client(client, admin.headers, "Acme")
    clash = submit(client, f"{SETTINGS}/clients", name="ACME")
    page = refused_at(clash, "client-name", "already exists")
    assert value_of(page, "client-name") == "ACME"  # what was typed is kept
    beta = make_client(client, admin.headers, "Beta")
    rename = submit(client, f"{SETTINGS}/clients/{beta['id']}", name="acme")
    assert value_of(refused_at(rename, "client-name", "already exists"), "client-name") == "acme"
    assert sorted(c["name"] for c in api(client, admin, "clients")) == ["Acme", "Beta"]


# --- assets --------------------------------------------------------------------------------


def _asset_form(client_id: str, name: str, *refs: tuple[str, str], **extra: str) -> Json:
    form: Json = {"client_id": client_id, "name": name, **extra}
    for i, (provider, device) in enumerate(refs):
        form[f"ref-{i}-provider"] = provider
        form[f"ref-{i}-external_id"] = device
    return form


def test_add_an_asset_with_device_ids_and_filter_by_client(
    client: TestClient, admin: TenantCtx
) -> None:
    acme = make_client(client, admin.headers, "Acme")
    beta = make_client(client, admin.headers, "Beta")
    new = client.get(f"{SETTINGS}/assets/new", params={"client_id": acme["id"]})
    assert f'<option value="{acme["id"]}" selected>' in new.text
    assert "NinjaOne" in new.text
    assert "Tactical RMM" in new.text
    form = _asset_form(
        acme["id"], "ACME-DC01", ("ninjaone", "1234"), ("", ""), serial_number="SN-9"
    )
    saved(submit(client, f"{SETTINGS}/assets", **form), f"{SETTINGS}/assets")
    other = _asset_form(beta["id"], "BETA-PC", ("tacticalrmm", "agent-7"))
    saved(submit(client, f"{SETTINGS}/assets", **other), f"{SETTINGS}/assets")
    listing = text_of(client.get(f"{SETTINGS}/assets").text)
    assert "ACME-DC01 Acme SN-9 ninjaone: 1234" in listing
    assert "BETA-PC Beta — tacticalrmm: agent-7" in listing
    only_acme = text_of(client.get(f"{SETTINGS}/assets", params={"client_id": acme["id"]}).text)
    assert "ACME-DC01" in only_acme
    assert "BETA-PC" not in only_acme
    everyone = client.get(f"{SETTINGS}/assets", params={"client_id": ""})
    assert "BETA-PC" in everyone.text


def test_edit_an_asset_move_it_and_change_its_device_ids(
    client: TestClient, admin: TenantCtx
) -> None:
    acme = make_client(client, admin.headers, "Acme")
    beta = make_client(client, admin.headers, "Beta")
    body = {
        "client_id": acme["id"],
        "name": "PC-1",
        "serial_number": "SN-1",
        "external_refs": [
            {"provider": "ninjaone", "external_id": "1"},
            {"provider": "tacticalrmm", "external_id": "t-1"},
        ],
    }
    asset = created(client.post("/api/v1/assets", json=body, headers=admin.headers))
    page = client.get(f"{SETTINGS}/assets/{asset['id']}").text
    assert value_of(page, "asset-name") == "PC-1"
    assert value_of(page, "ref-0-external_id") == "1"
    assert value_of(page, "ref-2-external_id") == ""  # blank rows to link more
    form = _asset_form(
        beta["id"],
        "PC-1b",
        ("ninjaone", "1"),
        ("tacticalrmm", "t-1"),
        ("huntress", "h-5"),
        serial_number="",
    )
    form["ref-0-remove"] = "1"
    saved(submit(client, f"{SETTINGS}/assets/{asset['id']}", **form), f"{SETTINGS}/assets")
    [after] = api(client, admin, "assets")
    assert (after["client_id"], after["name"], after["serial_number"]) == (
        beta["id"],
        "PC-1b",
        None,
    )
    refs = sorted((r["provider"], r["external_id"]) for r in after["external_refs"])
    assert refs == [("huntress", "h-5"), ("tacticalrmm", "t-1")]


def test_asset_errors_are_shown_at_their_field(client: TestClient, admin: TenantCtx) -> None:
    acme = make_client(client, admin.headers, "Acme")
    no_client = submit(client, f"{SETTINGS}/assets", **_asset_form("", "PC"))
    refused_at(no_client, "asset-client", "Choose the client")
    no_name = submit(client, f"{SETTINGS}/assets", **_asset_form(acme["id"], " "))
    refused_at(no_name, "asset-name", "must not be empty")
    no_provider = _asset_form(acme["id"], "PC", ("ninjaone", "1"), ("", "42"))
    page = refused_at(
        submit(client, f"{SETTINGS}/assets", **no_provider), "ref-1-provider", "Choose the RMM"
    )
    assert value_of(page, "ref-1-external_id") == "42"
    assert value_of(page, "asset-name") == "PC"
    body = {"client_id": acme["id"], "name": "Taken", "external_refs": [
        {"provider": "ninjaone", "external_id": "7"}]}  # fmt: skip
    created(client.post("/api/v1/assets", json=body, headers=admin.headers))
    clash = submit(client, f"{SETTINGS}/assets", **_asset_form(acme["id"], "PC", ("ninjaone", "7")))
    assert clash.status_code == 422
    assert "ninjaone device 7 is already linked to an asset" in text_of(clash.text)
    assert [a["name"] for a in api(client, admin, "assets")] == ["Taken"]


# --- users ---------------------------------------------------------------------------------


def test_invite_with_a_generated_password_shown_once(client: TestClient, admin: TenantCtx) -> None:
    response = submit(
        client, f"{SETTINGS}/users", name="Tess Tech", email="Tess@Example.com", role="technician"
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    shown = re.search(r'data-testid="initial-password">([^<]+)<', response.text)
    assert shown is not None
    password = shown.group(1)
    assert len(password) >= 16
    assert password not in client.get(f"{SETTINGS}/users").text
    listing = text_of(client.get(f"{SETTINGS}/users").text)
    assert "Tess Tech Active tess@example.com Technician" in listing
    client.cookies.clear()
    assert login(client, "tess@example.com", password).status_code == 303


def test_invite_with_a_chosen_password_and_change_the_role(
    client: TestClient, admin: TenantCtx
) -> None:
    invited = submit(
        client, f"{SETTINGS}/users", email="ann@example.com", role="admin", password="a long one"
    )
    saved(invited, f"{SETTINGS}/users")
    ann = next(u for u in api(client, admin, "users") if u["email"] == "ann@example.com")
    assert (ann["name"], ann["role"]) == ("ann@example.com", "admin")
    edit = submit(client, f"{SETTINGS}/users/{ann['id']}", name="Ann Admin", role="technician")
    saved(edit, f"{SETTINGS}/users")
    ann = next(u for u in api(client, admin, "users") if u["id"] == ann["id"])
    assert (ann["name"], ann["role"]) == ("Ann Admin", "technician")


def test_invite_errors_are_shown_at_their_field(client: TestClient, admin: TenantCtx) -> None:
    duplicate = submit(
        client, f"{SETTINGS}/users", name="Again", email=admin.admin.email, password=PASSWORD
    )
    page = refused_at(duplicate, "invite-email", "already exists")
    assert value_of(page, "invite-name") == "Again"
    assert value_of(page, "invite-password") == ""  # a password is never sent back
    bad = submit(client, f"{SETTINGS}/users", email="not-an-email", password=PASSWORD)
    refused_at(bad, "invite-email", "valid email")
    short = submit(client, f"{SETTINGS}/users", email="b@example.com", password="short")
    refused_at(short, "invite-password", "at least 8")
    role = submit(client, f"{SETTINGS}/users", email="c@example.com", role="owner")
    refused_at(role, "invite-role", "Role must be")
    assert len(api(client, admin, "users")) == 1


def test_a_deactivated_user_cannot_sign_in_and_is_signed_out(
    client: TestClient, admin: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    tech, tech_headers = technician
    with TestClient(client.app) as tech_browser:
        sign_in(tech_browser, tech.email)
        assert tech_browser.get("/ui/tickets", follow_redirects=False).status_code == 200
        listing = client.get(f"{SETTINGS}/users").text
        assert f'action="{SETTINGS}/users/{tech.id}/deactivate"' in listing
        assert "hx-confirm=" in listing.split(f"{tech.id}/deactivate")[1][:40]
        saved(submit(client, f"{SETTINGS}/users/{tech.id}/deactivate"), f"{SETTINGS}/users")
        assert "Deactivated" in text_of(client.get(f"{SETTINGS}/users").text)
        # the open session ends, a new sign-in and the API token are refused
        gone = tech_browser.get("/ui/tickets", follow_redirects=False)
        assert gone.status_code == 303
        assert gone.headers["location"].startswith("/ui/login")
        refused = login(tech_browser, tech.email)
        assert refused.status_code == 401
        assert "Wrong email or password" in refused.text
        assert client.get("/api/v1/tickets", headers=tech_headers).status_code == 401
        saved(submit(client, f"{SETTINGS}/users/{tech.id}/reactivate"), f"{SETTINGS}/users")
        assert login(tech_browser, tech.email).status_code == 303


def test_admins_cannot_deactivate_or_demote_themselves(
    client: TestClient, admin: TenantCtx
) -> None:
    me = admin.admin
    listing = client.get(f"{SETTINGS}/users").text
    assert f"{me.id}/deactivate" not in listing  # no button for oneself
    response = submit(client, f"{SETTINGS}/users/{me.id}/deactivate")
    assert response.status_code == 422
    assert "You cannot deactivate your own account" in text_of(response.text)
    demote = submit(client, f"{SETTINGS}/users/{me.id}", name="Me", role="technician")
    refused_at(demote, "user-role", "cannot change your own role")
    own_page = client.get(f"{SETTINGS}/users/{me.id}").text
    assert re.search(r'<select id="user-role" name="role" disabled', own_page)
    # the role select is disabled on one's own page: saving the name alone works
    saved(submit(client, f"{SETTINGS}/users/{me.id}", name="Me"), f"{SETTINGS}/users")
    [row] = api(client, admin, "users")
    assert (row["name"], row["role"], row["is_active"]) == ("Me", "admin", True)


def test_a_user_name_must_not_be_empty(
    client: TestClient, admin: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    tech, _ = technician
    response = submit(client, f"{SETTINGS}/users/{tech.id}", name=" ", role="technician")
    refused_at(response, "user-name", "must not be empty")


# --- boards --------------------------------------------------------------------------------


def test_create_a_board_with_its_statuses(client: TestClient, admin: TenantCtx) -> None:
    form = client.get(f"{SETTINGS}/boards/new").text
    assert value_of(form, "status-0-name") == "New"  # starts from the usual statuses
    fields = {
        "name": "Projects",
        "status-0-name": "Planned",
        "status-1-name": "Doing",
        "status-2-name": "Done",
        "status-2-closed": "1",
        "status-3-name": "",
        "default": "0",
    }
    saved(submit(client, f"{SETTINGS}/boards", **fields), f"{SETTINGS}/boards")
    board = next(b for b in api(client, admin, "boards") if b["name"] == "Projects")
    got = [(s["name"], s["is_default"], s["is_closed"]) for s in board["statuses"]]
    assert got == [("Planned", True, False), ("Doing", False, False), ("Done", False, True)]
    listing = text_of(client.get(f"{SETTINGS}/boards").text)
    assert "Projects Planned ★ Doing Done" in listing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status-0-name": "Open", "status-1-name": "Waiting", "default": "0"}, "closed status"),
        ({"status-0-name": "Open", "status-1-name": "Done", "status-1-closed": "1"}, "default"),
        (
            {"status-0-name": "Open", "status-0-closed": "1", "status-1-name": "Done",
             "status-1-closed": "1", "default": "0"},
            "cannot be closed",
        ),
    ],
)  # fmt: skip
def test_board_status_errors_are_shown_at_the_statuses(
    client: TestClient, admin: TenantCtx, fields: dict[str, str], message: str
) -> None:
    response = submit(client, f"{SETTINGS}/boards", name="Projects", **fields)
    assert response.status_code == 422
    error = re.search(r'<span class="field-error" id="statuses-error"[^>]*>([^<]*)<', response.text)
    assert error is not None
    assert message in error.group(1)
    assert value_of(response.text, "board-name") == "Projects"
    assert value_of(response.text, "status-0-name") == "Open"
    assert [b["name"] for b in api(client, admin, "boards")] == ["Service Desk"]


def test_board_name_errors(client: TestClient, admin: TenantCtx) -> None:
    fields = {"status-0-name": "Open", "status-1-name": "Done", "status-1-closed": "1"}
    clash = submit(client, f"{SETTINGS}/boards", name="service desk", default="0", **fields)
    refused_at(clash, "board-name", "already exists")
    empty = submit(client, f"{SETTINGS}/boards", name="", default="0", **fields)
    refused_at(empty, "board-name", "must not be empty")


def test_rename_add_statuses_and_make_default(client: TestClient, admin: TenantCtx) -> None:
    board = created(
        client.post(
            "/api/v1/boards",
            json={"name": "Projects", "statuses": [
                {"name": "Open", "is_default": True}, {"name": "Done", "is_closed": True}]},
            headers=admin.headers,
        )
    )  # fmt: skip
    url = f"{SETTINGS}/boards/{board['id']}"
    saved(submit(client, url, name="Project work"), f"{SETTINGS}/boards")
    added = submit(client, f"{url}/statuses", name="Waiting on customer")
    saved(added, f"{url}#statuses")
    saved(submit(client, f"{url}/statuses", name="Triage", is_default="1"), f"{url}#statuses")
    duplicate = submit(client, f"{url}/statuses", name="waiting on customer")
    page = refused_at(duplicate, "status-name", "already has a status")
    assert value_of(page, "status-name") == "waiting on customer"
    closed_default = submit(client, f"{url}/statuses", name="X", is_default="1", is_closed="1")
    assert closed_default.status_code == 422
    assert "cannot be closed" in text_of(closed_default.text)
    empty_rename = submit(client, url, name=" ")
    refused_at(empty_rename, "board-name", "must not be empty")
    listing = client.get(f"{SETTINGS}/boards").text
    assert f'action="{url}/default"' in listing
    saved(submit(client, f"{url}/default"), f"{SETTINGS}/boards")
    after = next(b for b in api(client, admin, "boards") if b["id"] == board["id"])
    assert (after["name"], after["is_default"]) == ("Project work", True)
    got = [(s["name"], s["is_default"]) for s in after["statuses"]]
    assert got == [("Open", False), ("Done", False), ("Waiting on customer", False),
                   ("Triage", True)]  # fmt: skip
    assert [b["name"] for b in api(client, admin, "boards") if b["is_default"]] == ["Project work"]


# --- priorities ----------------------------------------------------------------------------


def test_add_and_edit_a_priority(client: TestClient, admin: TenantCtx) -> None:
    listing = client.get(f"{SETTINGS}/priorities").text
    assert 'style="background: #b42318"' in listing  # each priority's swatch
    saved(
        submit(client, f"{SETTINGS}/priorities", name="Planned", color="#3056d3"),
        f"{SETTINGS}/priorities",
    )
    planned = api(client, admin, "priorities")[-1]
    assert (planned["name"], planned["color"]) == ("Planned", "#3056d3")
    url = f"{SETTINGS}/priorities/{planned['id']}"
    assert value_of(client.get(url).text, "priority-color") == "#3056d3"
    saved(submit(client, url, name="Someday", color=""), f"{SETTINGS}/priorities")
    after = api(client, admin, "priorities")[-1]
    assert (after["name"], after["color"]) == ("Someday", None)
    assert "Someday" in text_of(client.get(f"{SETTINGS}/priorities").text)


def test_priority_errors_are_shown_at_their_field(client: TestClient, admin: TenantCtx) -> None:
    bad = submit(client, f"{SETTINGS}/priorities", name="Planned", color="blue")
    page = refused_at(bad, "priority-color", "six hex digits")
    assert value_of(page, "priority-name") == "Planned"
    clash = submit(client, f"{SETTINGS}/priorities", name="high")
    refused_at(clash, "priority-name", "already exists")
    high = next(p for p in api(client, admin, "priorities") if p["name"] == "High")
    empty = submit(client, f"{SETTINGS}/priorities/{high['id']}", name="", color="#000000")
    refused_at(empty, "priority-name", "must not be empty")
    assert len(api(client, admin, "priorities")) == 4
    assert next(p for p in api(client, admin, "priorities") if p["id"] == high["id"]) == high
