"""Editing reference data over the API: clients, assets, users, boards and their statuses,
priorities. Admins only; another tenant's ids are unknown and stay untouched."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.storage.models import User
from tests.conftest import PASSWORD, TenantCtx
from tests.web.api_helpers import Json, assert_invalid, created, make_board, make_client

API = "/api/v1"
OPEN: Json = {"name": "Open", "is_default": True}
DONE: Json = {"name": "Done", "is_closed": True}
Tech = tuple[User, dict[str, str]]


def _get(client: TestClient, tenant: TenantCtx, path: str) -> Any:
    response = client.get(f"{API}/{path}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _patch(client: TestClient, headers: dict[str, str], path: str, body: Json) -> Any:
    return client.patch(f"{API}/{path}", json=body, headers=headers)


def _ok(response: Any) -> Json:
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def _asset(client: TestClient, tenant: TenantCtx, client_id: str, **extra: Any) -> Json:
    body = {"client_id": client_id, "name": "PC-1", **extra}
    return created(client.post(f"{API}/assets", json=body, headers=tenant.headers))


def _user(client: TestClient, tenant: TenantCtx, email: str, role: str = "technician") -> Json:
    body = {"email": email, "name": email.split("@")[0], "password": PASSWORD, "role": role}
    return created(client.post(f"{API}/users", json=body, headers=tenant.headers))


# --- clients -------------------------------------------------------------------------------


def test_rename_client(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers, "Acme")
    renamed = _ok(_patch(client, tenant.headers, f"clients/{acme['id']}", {"name": " Acme Ltd "}))
    assert (renamed["id"], renamed["name"]) == (acme["id"], "Acme Ltd")
    assert [c["name"] for c in _get(client, tenant, "clients")] == ["Acme Ltd"]
    # a change of case only is not a clash with itself
    same = _ok(_patch(client, tenant.headers, f"clients/{acme['id']}", {"name": "ACME LTD"}))
    assert same["name"] == "ACME LTD"


def test_rename_client_validation(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers, "Acme")
    make_client(client, tenant.headers, "Beta")
    path = f"clients/{acme['id']}"
    assert_invalid(_patch(client, tenant.headers, path, {"name": "   "}), "name")
    assert_invalid(_patch(client, tenant.headers, path, {"name": "x" * 201}), "name")
    assert_invalid(_patch(client, tenant.headers, path, {"nmae": "typo"}), "nmae")
    clash = _patch(client, tenant.headers, path, {"name": "beta"})
    assert clash.status_code == 409, clash.text
    assert "already exists" in clash.json()["detail"]
    unknown = _patch(client, tenant.headers, f"clients/{uuid.uuid4()}", {"name": "X"})
    assert unknown.status_code == 404, unknown.text
    assert sorted(c["name"] for c in _get(client, tenant, "clients")) == ["Acme", "Beta"]


# --- assets --------------------------------------------------------------------------------


def test_edit_asset_fields_and_device_links(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers, "Acme")
    beta = make_client(client, tenant.headers, "Beta")
    ninja = {"provider": "ninjaone", "external_id": "42"}
    tactical = {"provider": "tacticalrmm", "external_id": "agent-7"}
    asset = _asset(client, tenant, acme["id"], serial_number="SN-1", external_refs=[ninja])
    path = f"assets/{asset['id']}"
    body = {"client_id": beta["id"], "name": "PC-2", "external_refs": [ninja, tactical]}
    edited = _ok(_patch(client, tenant.headers, path, body))
    assert (edited["client_id"], edited["name"], edited["serial_number"]) == (
        beta["id"],
        "PC-2",
        "SN-1",
    )
    assert sorted(r["provider"] for r in edited["external_refs"]) == ["ninjaone", "tacticalrmm"]
    # the unlinked device is free for another asset; the serial number can be cleared
    edited = _ok(
        _patch(client, tenant.headers, path, {"external_refs": [tactical], "serial_number": None})
    )
    assert edited["external_refs"] == [tactical]
    assert edited["serial_number"] is None
    _asset(client, tenant, acme["id"], name="PC-3", external_refs=[ninja])
    # leaving a field out keeps it
    kept = _ok(_patch(client, tenant.headers, path, {"name": "PC-9"}))
    assert (kept["client_id"], kept["external_refs"]) == (beta["id"], [tactical])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"client_id": str(uuid.uuid4())}, "client_id"),
        ({"serial_number": "s" * 201}, "serial_number"),
        ({"external_refs": [{"provider": "kaseya", "external_id": "1"}]}, "provider"),
        ({"external_refs": [{"provider": "ninjaone", "external_id": " "}]}, "external_id"),
        (
            {"external_refs": [{"provider": "ninjaone", "external_id": "1"}] * 2},
            "external_refs",
        ),
        ({"colour": "red"}, "colour"),
    ],
)
def test_edit_asset_validation(
    client: TestClient, tenant: TenantCtx, body: Json, field: str
) -> None:
    acme = make_client(client, tenant.headers)
    asset = _asset(client, tenant, acme["id"])
    assert_invalid(_patch(client, tenant.headers, f"assets/{asset['id']}", body), field)
    [after] = _get(client, tenant, "assets")
    assert after == asset


def test_a_device_linked_to_another_asset_is_409(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers)
    ref = {"provider": "ninjaone", "external_id": "42"}
    _asset(client, tenant, acme["id"], external_refs=[ref])
    other = _asset(client, tenant, acme["id"], name="PC-2")
    response = _patch(client, tenant.headers, f"assets/{other['id']}", {"external_refs": [ref]})
    assert response.status_code == 409, response.text
    assert "already linked" in response.json()["detail"]


def test_unknown_asset_is_404(client: TestClient, tenant: TenantCtx) -> None:
    response = _patch(client, tenant.headers, f"assets/{uuid.uuid4()}", {"name": "X"})
    assert response.status_code == 404, response.text


# --- boards --------------------------------------------------------------------------------


def test_rename_board_and_make_it_the_default(client: TestClient, tenant: TenantCtx) -> None:
    board = make_board(client, tenant.headers, "Projects", [OPEN, DONE])
    path = f"boards/{board['id']}"
    renamed = _ok(_patch(client, tenant.headers, path, {"name": "Project work"}))
    assert (renamed["name"], renamed["is_default"]) == ("Project work", False)
    assert [s["name"] for s in renamed["statuses"]] == ["Open", "Done"]
    made = _ok(_patch(client, tenant.headers, path, {"is_default": True}))
    assert made["is_default"] is True
    defaults = [b["name"] for b in _get(client, tenant, "boards") if b["is_default"]]
    assert defaults == ["Project work"]
    # new tickets now land on it
    acme = make_client(client, tenant.headers)
    ticket = created(
        client.post(
            f"{API}/tickets", json={"title": "T", "client_id": acme["id"]}, headers=tenant.headers
        )
    )
    assert ticket["board_id"] == board["id"]


def test_board_edit_validation(client: TestClient, tenant: TenantCtx) -> None:
    board = make_board(client, tenant.headers, "Projects", [OPEN, DONE])
    path = f"boards/{board['id']}"
    assert_invalid(_patch(client, tenant.headers, path, {"name": " "}), "name")
    assert_invalid(_patch(client, tenant.headers, path, {"statuses": []}), "statuses")
    clash = _patch(client, tenant.headers, path, {"name": "service desk"})
    assert clash.status_code == 409, clash.text
    service_desk = next(b for b in _get(client, tenant, "boards") if b["is_default"])
    undefault = _patch(
        client, tenant.headers, f"boards/{service_desk['id']}", {"is_default": False}
    )
    assert_invalid(undefault, "is_default")
    unknown = _patch(client, tenant.headers, f"boards/{uuid.uuid4()}", {"name": "X"})
    assert unknown.status_code == 404, unknown.text
    names = sorted(b["name"] for b in _get(client, tenant, "boards"))
    assert names == ["Projects", "Service Desk"]


def test_add_statuses_to_a_board(client: TestClient, tenant: TenantCtx) -> None:
    board = make_board(client, tenant.headers, "Projects", [OPEN, DONE])
    url = f"{API}/boards/{board['id']}/statuses"
    waiting = created(client.post(url, json={"name": "Waiting"}, headers=tenant.headers))
    assert (waiting["is_default"], waiting["is_closed"], waiting["position"]) == (False, False, 2)
    triage = created(
        client.post(url, json={"name": "Triage", "is_default": True}, headers=tenant.headers)
    )
    assert triage["is_default"] is True
    [after] = [b for b in _get(client, tenant, "boards") if b["id"] == board["id"]]
    got = [(s["name"], s["is_default"], s["is_closed"]) for s in after["statuses"]]
    assert got == [
        ("Open", False, False),
        ("Done", False, True),
        ("Waiting", False, False),
        ("Triage", True, False),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "open"}, "name"),
        ({"name": "Shelved", "is_default": True, "is_closed": True}, "is_default"),
        ({"name": "Shelved", "closed": True}, "closed"),
    ],
)
def test_add_status_validation(
    client: TestClient, tenant: TenantCtx, body: Json, field: str
) -> None:
    board = make_board(client, tenant.headers, "Projects", [OPEN, DONE])
    url = f"{API}/boards/{board['id']}/statuses"
    assert_invalid(client.post(url, json=body, headers=tenant.headers), field)
    [after] = [b for b in _get(client, tenant, "boards") if b["id"] == board["id"]]
    assert after == board


def test_add_status_to_unknown_board_is_404(client: TestClient, tenant: TenantCtx) -> None:
    url = f"{API}/boards/{uuid.uuid4()}/statuses"
    response = client.post(url, json={"name": "Waiting"}, headers=tenant.headers)
    assert response.status_code == 404, response.text


# --- priorities ----------------------------------------------------------------------------


def test_edit_priority(client: TestClient, tenant: TenantCtx) -> None:
    high = next(p for p in _get(client, tenant, "priorities") if p["name"] == "High")
    path = f"priorities/{high['id']}"
    edited = _ok(_patch(client, tenant.headers, path, {"name": "Urgent", "color": "#AA0000"}))
    assert (edited["name"], edited["color"], edited["position"]) == ("Urgent", "#AA0000", 1)
    kept = _ok(_patch(client, tenant.headers, path, {"name": "Urgent!"}))
    assert kept["color"] == "#AA0000"
    cleared = _ok(_patch(client, tenant.headers, path, {"color": None}))
    assert cleared["color"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"color": "red"}, "color"),
        ({"color": "#12345g"}, "color"),
        ({"colour": "#000000"}, "colour"),
    ],
)
def test_edit_priority_validation(
    client: TestClient, tenant: TenantCtx, body: Json, field: str
) -> None:
    high = next(p for p in _get(client, tenant, "priorities") if p["name"] == "High")
    assert_invalid(_patch(client, tenant.headers, f"priorities/{high['id']}", body), field)
    assert next(p for p in _get(client, tenant, "priorities") if p["id"] == high["id"]) == high


def test_priority_name_clash_and_unknown_id(client: TestClient, tenant: TenantCtx) -> None:
    high = next(p for p in _get(client, tenant, "priorities") if p["name"] == "High")
    clash = _patch(client, tenant.headers, f"priorities/{high['id']}", {"name": "low"})
    assert clash.status_code == 409, clash.text
    unknown = _patch(client, tenant.headers, f"priorities/{uuid.uuid4()}", {"name": "X"})
    assert unknown.status_code == 404, unknown.text


# --- users ---------------------------------------------------------------------------------


def test_rename_promote_and_demote_a_user(client: TestClient, tenant: TenantCtx) -> None:
    terry = _user(client, tenant, "terry@example.com")
    path = f"users/{terry['id']}"
    renamed = _ok(_patch(client, tenant.headers, path, {"name": "Terry T."}))
    assert (renamed["name"], renamed["role"]) == ("Terry T.", "technician")
    assert _ok(_patch(client, tenant.headers, path, {"role": "admin"}))["role"] == "admin"
    assert _ok(_patch(client, tenant.headers, path, {"role": "technician"}))["role"] == (
        "technician"
    )


def test_a_deactivated_user_cannot_use_their_token_until_reactivated(
    client: TestClient, tenant: TenantCtx, technician: Tech
) -> None:
    tech, tech_headers = technician
    assert client.get(f"{API}/tickets", headers=tech_headers).status_code == 200
    path = f"users/{tech.id}"
    assert _ok(_patch(client, tenant.headers, path, {"is_active": False}))["is_active"] is False
    refused = client.get(f"{API}/tickets", headers=tech_headers)
    assert refused.status_code == 401, refused.text
    assert "deactivated" in refused.json()["detail"]
    assert _ok(_patch(client, tenant.headers, path, {"is_active": True}))["is_active"] is True
    assert client.get(f"{API}/tickets", headers=tech_headers).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"role": "owner"}, "role"),
        ({"is_active": "maybe"}, "is_active"),
        ({"password": "new password"}, "password"),
    ],
)
def test_edit_user_validation(
    client: TestClient, tenant: TenantCtx, technician: Tech, body: Json, field: str
) -> None:
    tech, _ = technician
    before = next(u for u in _get(client, tenant, "users") if u["id"] == str(tech.id))
    assert_invalid(_patch(client, tenant.headers, f"users/{tech.id}", body), field)
    assert next(u for u in _get(client, tenant, "users") if u["id"] == str(tech.id)) == before


@pytest.mark.parametrize(
    ("body", "field"), [({"is_active": False}, "is_active"), ({"role": "technician"}, "role")]
)
def test_admins_cannot_deactivate_or_demote_themselves(
    client: TestClient, tenant: TenantCtx, body: Json, field: str
) -> None:
    response = _patch(client, tenant.headers, f"users/{tenant.admin.id}", body)
    assert_invalid(response, field)
    me = next(u for u in _get(client, tenant, "users") if u["id"] == str(tenant.admin.id))
    assert (me["role"], me["is_active"]) == ("admin", True)
    # renaming yourself, and saying what is already so, is fine
    ok = _patch(client, tenant.headers, f"users/{tenant.admin.id}", {"name": "Me", "role": "admin"})
    assert _ok(ok)["name"] == "Me"


def test_another_admin_may_be_demoted_and_deactivated(
    client: TestClient, tenant: TenantCtx
) -> None:
    other = _user(client, tenant, "second@example.com", role="admin")
    path = f"users/{other['id']}"
    assert _ok(_patch(client, tenant.headers, path, {"role": "technician"}))["role"] == "technician"
    assert _ok(_patch(client, tenant.headers, path, {"is_active": False}))["is_active"] is False


def test_technicians_cannot_edit_reference_data(
    client: TestClient, tenant: TenantCtx, technician: Tech
) -> None:
    tech, headers = technician
    acme = make_client(client, tenant.headers, "Acme")
    asset = _asset(client, tenant, acme["id"])
    board = next(b for b in _get(client, tenant, "boards") if b["is_default"])
    priority = _get(client, tenant, "priorities")[0]
    calls = [
        ("patch", f"clients/{acme['id']}", {"name": "Mine"}),
        ("patch", f"assets/{asset['id']}", {"name": "Mine"}),
        ("patch", f"boards/{board['id']}", {"name": "Mine"}),
        ("post", f"boards/{board['id']}/statuses", {"name": "Mine"}),
        ("patch", f"priorities/{priority['id']}", {"name": "Mine"}),
        ("patch", f"users/{tech.id}", {"role": "admin"}),
        ("patch", f"users/{tenant.admin.id}", {"is_active": False}),
    ]
    for method, path, body in calls:
        response = client.request(method, f"{API}/{path}", json=body, headers=headers)
        assert response.status_code == 403, (path, response.text)
    assert [c["name"] for c in _get(client, tenant, "clients")] == ["Acme"]
    roles = {u["id"]: (u["role"], u["is_active"]) for u in _get(client, tenant, "users")}
    assert roles[str(tech.id)] == ("technician", True)
    assert roles[str(tenant.admin.id)] == ("admin", True)


# --- tenant isolation ----------------------------------------------------------------------


def test_another_tenants_ids_are_404_and_nothing_changes(
    client: TestClient, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    theirs = make_client(client, other.headers, "Theirs")
    their_asset = _asset(client, other, theirs["id"])
    their_board = next(b for b in _get(client, other, "boards") if b["is_default"])
    their_priority = _get(client, other, "priorities")[0]
    their_user = _user(client, other, "their-tech@example.com")
    before = {
        path: _get(client, other, path)
        for path in ("clients", "assets", "boards", "priorities", "users")
    }
    calls = [
        ("patch", f"clients/{theirs['id']}", {"name": "Stolen"}),
        ("patch", f"assets/{their_asset['id']}", {"name": "Stolen"}),
        ("patch", f"boards/{their_board['id']}", {"name": "Stolen"}),
        ("patch", f"boards/{their_board['id']}", {"is_default": True}),
        ("post", f"boards/{their_board['id']}/statuses", {"name": "Stolen"}),
        ("patch", f"priorities/{their_priority['id']}", {"name": "Stolen"}),
        ("patch", f"users/{their_user['id']}", {"is_active": False}),
        ("patch", f"users/{other.admin.id}", {"role": "technician"}),
    ]
    for method, path, body in calls:
        response = client.request(method, f"{API}/{path}", json=body, headers=tenant.headers)
        assert response.status_code == 404, (path, response.text)
    # nor may an asset of ours be moved to their client
    mine = _asset(client, tenant, make_client(client, tenant.headers, "Mine")["id"])
    moved = _patch(client, tenant.headers, f"assets/{mine['id']}", {"client_id": theirs["id"]})
    assert_invalid(moved, "client_id")
    after = {path: _get(client, other, path) for path in before}
    assert after == before
