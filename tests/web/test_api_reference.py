"""Reference data over the API: clients, assets, boards with statuses, priorities, users."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, assert_invalid, created, make_board, make_client

OPEN: Json = {"name": "Open", "is_default": True}
DONE: Json = {"name": "Done", "is_closed": True}


# --- clients -------------------------------------------------------------------------------


def test_create_and_list_clients(client: TestClient, tenant: TenantCtx) -> None:
    beta = make_client(client, tenant.headers, "  Beta Ltd ")
    alpha = make_client(client, tenant.headers, "Alpha Inc")
    assert beta["name"] == "Beta Ltd"
    assert beta["is_active"] is True
    uuid.UUID(beta["id"])
    listed = client.get("/api/v1/clients", headers=tenant.headers).json()
    assert [c["id"] for c in listed] == [alpha["id"], beta["id"]]


@pytest.mark.parametrize("again", ["Acme", "acme", "ACME", "  aCmE  "])
def test_duplicate_client_name_is_409_ignoring_case(
    client: TestClient, tenant: TenantCtx, again: str
) -> None:
    make_client(client, tenant.headers, "Acme")
    response = client.post("/api/v1/clients", json={"name": again}, headers=tenant.headers)
    assert response.status_code == 409, response.text
    assert "already exists" in response.json()["detail"]
    assert len(client.get("/api/v1/clients", headers=tenant.headers).json()) == 1


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_client_name_is_422_naming_the_field(
    client: TestClient, tenant: TenantCtx, name: str
) -> None:
    response = client.post("/api/v1/clients", json={"name": name}, headers=tenant.headers)
    assert_invalid(response, "name")


# --- assets --------------------------------------------------------------------------------


def _asset(client_id: str, name: str = "PC-1", **extra: Any) -> Json:
    return {"client_id": client_id, "name": name, **extra}


def test_create_asset_with_external_refs(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers)
    refs = [
        {"provider": "ninjaone", "external_id": "42"},
        {"provider": "tacticalrmm", "external_id": "agent-7"},
    ]
    body = _asset(acme["id"], serial_number="SN-1", external_refs=refs)
    asset = created(client.post("/api/v1/assets", json=body, headers=tenant.headers))
    assert asset["client_id"] == acme["id"]
    assert asset["serial_number"] == "SN-1"
    assert sorted(asset["external_refs"], key=lambda r: r["provider"]) == refs
    listed = client.get("/api/v1/assets", headers=tenant.headers).json()
    assert [a["id"] for a in listed] == [asset["id"]]
    assert len(listed[0]["external_refs"]) == 2


def test_assets_filtered_by_client(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers, "Acme")
    other = make_client(client, tenant.headers, "Other")
    mine = created(client.post("/api/v1/assets", json=_asset(acme["id"]), headers=tenant.headers))
    created(client.post("/api/v1/assets", json=_asset(other["id"]), headers=tenant.headers))
    listed = client.get(
        "/api/v1/assets", params={"client_id": acme["id"]}, headers=tenant.headers
    ).json()
    assert [a["id"] for a in listed] == [mine["id"]]


def test_duplicate_external_ref_is_409(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers)
    ref = {"provider": "ninjaone", "external_id": "42"}
    body = _asset(acme["id"], external_refs=[ref])
    created(client.post("/api/v1/assets", json=body, headers=tenant.headers))
    again = client.post(
        "/api/v1/assets",
        json=_asset(acme["id"], "PC-2", external_refs=[ref]),
        headers=tenant.headers,
    )
    assert again.status_code == 409, again.text
    assert len(client.get("/api/v1/assets", headers=tenant.headers).json()) == 1
    # the same device id under another provider is a different device
    other = {"provider": "tacticalrmm", "external_id": "42"}
    created(
        client.post(
            "/api/v1/assets",
            json=_asset(acme["id"], "PC-3", external_refs=[other]),
            headers=tenant.headers,
        )
    )


def test_asset_for_unknown_client_is_422_on_client_id(
    client: TestClient, tenant: TenantCtx
) -> None:
    response = client.post("/api/v1/assets", json=_asset(str(uuid.uuid4())), headers=tenant.headers)
    assert_invalid(response, "client_id")


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"name": ""}, "name"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"external_refs": [{"provider": "", "external_id": "1"}]}, "provider"),
        ({"external_refs": [{"provider": "ninjaone"}]}, "external_id"),
    ],
)
def test_asset_shape_validation(
    client: TestClient, tenant: TenantCtx, patch: Json, field: str
) -> None:
    acme = make_client(client, tenant.headers)
    response = client.post(
        "/api/v1/assets", json={**_asset(acme["id"]), **patch}, headers=tenant.headers
    )
    assert_invalid(response, field)


# --- boards --------------------------------------------------------------------------------


def test_create_board_with_statuses(client: TestClient, tenant: TenantCtx) -> None:
    statuses = [OPEN, {"name": "Waiting"}, DONE, {"name": "Cancelled", "is_closed": True}]
    board = make_board(client, tenant.headers, "Projects", statuses)
    assert board["name"] == "Projects"
    assert board["is_default"] is False
    got = [(s["name"], s["is_default"], s["is_closed"], s["position"]) for s in board["statuses"]]
    assert got == [
        ("Open", True, False, 0),
        ("Waiting", False, False, 1),
        ("Done", False, True, 2),
        ("Cancelled", False, True, 3),
    ]
    listed = {b["name"]: b for b in client.get("/api/v1/boards", headers=tenant.headers).json()}
    assert set(listed) == {"Projects", "Service Desk"}
    assert listed["Projects"]["statuses"] == board["statuses"]
    assert listed["Service Desk"]["is_default"] is True


@pytest.mark.parametrize(
    "statuses",
    [
        pytest.param([{"name": "Open"}, DONE], id="no-default"),
        pytest.param([OPEN, {"name": "Also", "is_default": True}, DONE], id="two-defaults"),
        pytest.param([OPEN, {"name": "Waiting"}], id="no-closed"),
        pytest.param(
            [{"name": "Open", "is_default": True, "is_closed": True}, DONE], id="default-closed"
        ),
        pytest.param([OPEN, DONE, {"name": "done ", "is_closed": True}], id="duplicate-names"),
        pytest.param([OPEN], id="single-status"),
    ],
)
def test_invalid_board_statuses_are_422_naming_statuses(
    client: TestClient, tenant: TenantCtx, statuses: list[Json]
) -> None:
    body = {"name": "Projects", "statuses": statuses}
    response = client.post("/api/v1/boards", json=body, headers=tenant.headers)
    assert_invalid(response, "statuses")
    names = [b["name"] for b in client.get("/api/v1/boards", headers=tenant.headers).json()]
    assert names == ["Service Desk"]


def test_duplicate_board_name_is_409(client: TestClient, tenant: TenantCtx) -> None:
    body = {"name": "Service Desk", "statuses": [OPEN, DONE]}
    response = client.post("/api/v1/boards", json=body, headers=tenant.headers)
    assert response.status_code == 409, response.text


# --- priorities ----------------------------------------------------------------------------


def test_priorities_are_seeded_and_new_ones_appended(client: TestClient, tenant: TenantCtx) -> None:
    seeded = client.get("/api/v1/priorities", headers=tenant.headers).json()
    assert [p["name"] for p in seeded] == ["Critical", "High", "Medium", "Low"]
    assert [p["name"] for p in seeded if p["is_default"]] == ["Medium"]
    first = created(
        client.post(
            "/api/v1/priorities",
            json={"name": "Someday", "color": "#AABBCC"},
            headers=tenant.headers,
        )
    )
    second = created(
        client.post("/api/v1/priorities", json={"name": "Never"}, headers=tenant.headers)
    )
    last = max(p["position"] for p in seeded)
    assert (first["position"], second["position"]) == (last + 1, last + 2)
    assert first["color"] == "#AABBCC"
    assert second["color"] is None
    assert first["is_default"] is False
    listed = client.get("/api/v1/priorities", headers=tenant.headers).json()
    assert [p["name"] for p in listed][-2:] == ["Someday", "Never"]


@pytest.mark.parametrize("color", ["red", "#abc", "#12345g", "123456", "#1234567"])
def test_bad_priority_color_is_422(client: TestClient, tenant: TenantCtx, color: str) -> None:
    body = {"name": "Odd", "color": color}
    assert_invalid(client.post("/api/v1/priorities", json=body, headers=tenant.headers), "color")


def test_duplicate_priority_is_409(client: TestClient, tenant: TenantCtx) -> None:
    response = client.post("/api/v1/priorities", json={"name": "High"}, headers=tenant.headers)
    assert response.status_code == 409, response.text


# --- users ---------------------------------------------------------------------------------


def test_create_user(client: TestClient, tenant: TenantCtx) -> None:
    body = {"email": " Terry@Example.com ", "name": "Terry", "password": "long enough"}
    user = created(client.post("/api/v1/users", json=body, headers=tenant.headers))
    assert user["email"] == "terry@example.com"
    assert (user["name"], user["role"], user["is_active"]) == ("Terry", "technician", True)
    assert "password" not in user
    assert "password_hash" not in user
    emails = {u["email"] for u in client.get("/api/v1/users", headers=tenant.headers).json()}
    assert emails == {tenant.admin.email, "terry@example.com"}


def test_create_admin_user(client: TestClient, tenant: TenantCtx) -> None:
    body = {"email": "boss@example.com", "password": "long enough", "role": "admin"}
    user = created(client.post("/api/v1/users", json=body, headers=tenant.headers))
    assert user["role"] == "admin"
    assert user["name"] == "boss@example.com"


@pytest.mark.parametrize("again", ["terry@example.com", "TERRY@example.COM"])
def test_duplicate_email_is_409(client: TestClient, tenant: TenantCtx, again: str) -> None:
    body = {"email": "terry@example.com", "password": "long enough"}
    created(client.post("/api/v1/users", json=body, headers=tenant.headers))
    response = client.post("/api/v1/users", json={**body, "email": again}, headers=tenant.headers)
    assert response.status_code == 409, response.text


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"password": "short"}, "password"),
        ({"role": "owner"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"email": None}, "email"),
    ],
)
def test_user_validation(client: TestClient, tenant: TenantCtx, patch: Json, field: str) -> None:
    body = {"email": "terry@example.com", "password": "long enough", **patch}
    assert_invalid(client.post("/api/v1/users", json=body, headers=tenant.headers), field)
    assert len(client.get("/api/v1/users", headers=tenant.headers).json()) == 1


# --- unknown fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/clients", {"name": "Acme", "nmae": "typo"}, "nmae"),
        ("/api/v1/boards", {"name": "B", "statuses": [OPEN, DONE], "color": "x"}, "color"),
        ("/api/v1/boards", {"name": "B", "statuses": [{**OPEN, "closed": True}, DONE]}, "closed"),
        ("/api/v1/priorities", {"name": "P", "colour": "#000000"}, "colour"),
        ("/api/v1/categories", {"name": "C", "desc": "x"}, "desc"),
        ("/api/v1/users", {"email": "a@b.co", "password": "long enough", "admin": True}, "admin"),
    ],
)
def test_unknown_body_fields_are_422_naming_them(
    client: TestClient, tenant: TenantCtx, path: str, body: Json, field: str
) -> None:
    response = client.post(path, json=body, headers=tenant.headers)
    assert_invalid(response, field)
    assert any(e["type"] == "extra_forbidden" for e in response.json()["detail"])


def test_unknown_external_ref_field_is_422(client: TestClient, tenant: TenantCtx) -> None:
    acme = make_client(client, tenant.headers)
    refs = [{"provider": "ninjaone", "external_id": "1", "device": "x"}]
    response = client.post(
        "/api/v1/assets", json=_asset(acme["id"], external_refs=refs), headers=tenant.headers
    )
    assert_invalid(response, "device")


def test_same_external_ref_twice_in_one_request_is_rejected(
    client: TestClient, tenant: TenantCtx
) -> None:
    acme = make_client(client, tenant.headers)
    ref = {"provider": "ninjaone", "external_id": "42"}
    body = _asset(acme["id"], external_refs=[ref, ref])
    response = client.post("/api/v1/assets", json=body, headers=tenant.headers)
    assert_invalid(response, "external_refs")
    assert client.get("/api/v1/assets", headers=tenant.headers).json() == []
