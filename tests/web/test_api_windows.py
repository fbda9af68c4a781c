"""T027: maintenance windows over the API — CRUD, schedule validation, scopes, roles, tenancy."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.services.tickets.reference import ExternalRef, create_asset, create_client
from alertdesk.storage.models import Integration, User
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, created

URL = "/api/v1/maintenance-windows"
START, END = "2026-03-07T22:00:00+00:00", "2026-03-08T02:00:00+00:00"
ONE_OFF: Json = {"starts_at": START, "ends_at": END}
WEEKLY: Json = {
    "type": "weekly",
    "days": [5, 0],
    "start_time": "22:00",
    "end_time": "02:00",
    "timezone": "America/New_York",
}


def add_integration(session: Session, tenant: uuid.UUID, provider: str = "ninjaone") -> Integration:
    row = Integration(tenant=tenant, id=uuid.uuid4(), provider=provider, name=provider, settings={})
    session.add(row)
    session.flush()
    return row


def scope(session: Session, tenant: uuid.UUID) -> Json:
    """An integration, a client and its asset of `tenant`, as window scope fields."""
    client = create_client(session, tenant, f"Client {uuid.uuid4().hex[:6]}")
    asset, _ = create_asset(session, tenant, client_id=client.id, name="PC-1", serial_number=None,
                            external_refs=[ExternalRef("ninjaone", uuid.uuid4().hex)])  # fmt: skip
    integration = add_integration(session, tenant)
    return {"integration_id": str(integration.id), "client_id": str(client.id),
            "asset_id": str(asset.id)}  # fmt: skip


def window_url(window: Json) -> str:
    return f"{URL}/{window['id']}"


def make_window(client: TestClient, ctx: TenantCtx, name: str = "patching", **body: Any) -> Json:
    payload = {"name": name, **(body or ONE_OFF)}
    return created(client.post(URL, json=payload, headers=ctx.headers))


def listed(client: TestClient, ctx: TenantCtx, **params: str) -> list[str]:
    response = client.get(URL, params=params, headers=ctx.headers)
    assert response.status_code == 200, response.text
    return [w["name"] for w in response.json()]


def assert_loc(response: httpx.Response, *loc: str | int) -> None:
    """A 422 with one detail entry whose loc is exactly ["body", *loc]."""
    assert response.status_code == 422, response.text
    locs = [list(entry["loc"]) for entry in response.json()["detail"]]
    assert ["body", *loc] in locs, locs


# --- CRUD ----------------------------------------------------------------------------------


def test_create_one_off(client: TestClient, tenant: TenantCtx, session: Session) -> None:
    scoped = scope(session, tenant.id)
    window = make_window(client, tenant, "  patching  ", **ONE_OFF, **scoped)
    assert (window["name"], window["is_active"], window["recurrence"]) == ("patching", True, None)
    assert {k: window[k] for k in scoped} == scoped
    assert datetime.fromisoformat(window["starts_at"]) == datetime(2026, 3, 7, 22, tzinfo=UTC)
    assert datetime.fromisoformat(window["ends_at"]) == datetime(2026, 3, 8, 2, tzinfo=UTC)
    assert client.get(window_url(window), headers=tenant.headers).json() == window


def test_create_weekly_sorts_days(client: TestClient, tenant: TenantCtx) -> None:
    window = make_window(client, tenant, recurrence=WEEKLY, is_active=False)
    assert window["recurrence"] == WEEKLY | {"days": [0, 5]}
    assert (window["starts_at"], window["ends_at"], window["is_active"]) == (None, None, False)
    assert (window["integration_id"], window["client_id"], window["asset_id"]) == (None, None, None)
    assert client.get(window_url(window), headers=tenant.headers).json() == window


def test_times_are_utc_on_output(client: TestClient, tenant: TenantCtx) -> None:
    body = {"starts_at": "2026-03-07T22:00:00+02:00", "ends_at": "2026-03-08T02:00:00+02:00"}
    window = make_window(client, tenant, **body)
    assert (window["starts_at"], window["ends_at"]) == (
        "2026-03-07T20:00:00Z",
        "2026-03-08T00:00:00Z",
    )


def test_list_filters_by_integration_including_global_windows(
    client: TestClient, tenant: TenantCtx, session: Session
) -> None:
    ninja = add_integration(session, tenant.id)
    tactical = add_integration(session, tenant.id, "tacticalrmm")
    make_window(client, tenant, "c-global", recurrence=WEEKLY)
    make_window(client, tenant, "a-ninja", integration_id=str(ninja.id), **ONE_OFF)
    make_window(client, tenant, "b-tactical", integration_id=str(tactical.id), **ONE_OFF)
    assert listed(client, tenant) == ["a-ninja", "b-tactical", "c-global"]
    assert listed(client, tenant, integration_id=str(ninja.id)) == ["a-ninja", "c-global"]
    assert listed(client, tenant, integration_id=str(tactical.id)) == ["b-tactical", "c-global"]
    assert listed(client, tenant, integration_id=str(uuid.uuid4())) == ["c-global"]


def test_put_replaces_the_window(client: TestClient, tenant: TenantCtx, session: Session) -> None:
    scoped = scope(session, tenant.id)
    window = make_window(client, tenant, **ONE_OFF, **scoped)
    body = {"name": "weekly now", "recurrence": WEEKLY, "is_active": False}
    response = client.put(window_url(window), json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert (replaced["id"], replaced["name"], replaced["is_active"]) == (
        window["id"],
        "weekly now",
        False,
    )
    assert (replaced["starts_at"], replaced["ends_at"]) == (None, None)
    assert (replaced["integration_id"], replaced["client_id"], replaced["asset_id"]) == (
        None,
        None,
        None,
    )
    assert replaced["recurrence"] == WEEKLY | {"days": [0, 5]}
    assert client.get(window_url(window), headers=tenant.headers).json() == replaced


def test_delete_then_404(client: TestClient, tenant: TenantCtx) -> None:
    window = make_window(client, tenant)
    response = client.delete(window_url(window), headers=tenant.headers)
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(window_url(window), headers=tenant.headers).status_code == 404
    assert client.delete(window_url(window), headers=tenant.headers).status_code == 404
    assert listed(client, tenant) == []


# --- validation ----------------------------------------------------------------------------


def weekly(**changes: Any) -> Json:
    return {"recurrence": WEEKLY | changes}


# fmt: off
INVALID: list[tuple[Json, tuple[str | int, ...]]] = [
    ({"starts_at": START, "ends_at": START}, ("ends_at",)),
    ({"starts_at": END, "ends_at": START}, ("ends_at",)),
    ({"starts_at": "2026-03-07T22:00:00", "ends_at": END}, ("starts_at",)),
    ({"starts_at": START, "ends_at": "2026-03-08T02:00:00"}, ("ends_at",)),
    ({"starts_at": "next friday", "ends_at": END}, ("starts_at",)),
    ({**ONE_OFF, "recurrence": WEEKLY}, ()),
    ({"starts_at": START, "recurrence": WEEKLY}, ()),
    ({}, ()),
    ({"starts_at": START}, ()),
    ({"ends_at": END}, ()),
    (weekly(timezone="Mars/Olympus_Mons"), ("recurrence", "timezone")),
    (weekly(timezone="../../etc/passwd"), ("recurrence", "timezone")),
    (weekly(timezone=""), ("recurrence", "timezone")),
    (weekly(start_time="02:00", end_time="02:00"), ("recurrence", "end_time")),
    (weekly(days=[7]), ("recurrence", "days", 0)),
    (weekly(days=[1, -1]), ("recurrence", "days", 1)),
    (weekly(days=[]), ("recurrence", "days")),
    (weekly(days=[1, 3, 1]), ("recurrence", "days")),
    (weekly(start_time="24:00"), ("recurrence", "start_time")),
    (weekly(start_time="7:00"), ("recurrence", "start_time")),
    (weekly(end_time="12:60"), ("recurrence", "end_time")),
    (weekly(end_time="10:00:00"), ("recurrence", "end_time")),
    (weekly(type="daily"), ("recurrence", "type")),
    ({"recurrence": {k: v for k, v in WEEKLY.items() if k != "timezone"}},
     ("recurrence", "timezone")),
    (weekly(startTime="22:00"), ("recurrence", "startTime")),
    ({**ONE_OFF, "startsAt": START}, ("startsAt",)),
    ({**ONE_OFF, "name": ""}, ("name",)),
    ({**ONE_OFF, "name": "x" * 256}, ("name",)),
    ({**ONE_OFF, "integration_id": "nope"}, ("integration_id",)),
]
# fmt: on


@pytest.mark.parametrize(("body", "loc"), INVALID)
@pytest.mark.parametrize("verb", ["POST", "PUT"])
def test_invalid_windows_are_422(
    client: TestClient, tenant: TenantCtx, verb: str, body: Json, loc: tuple[str | int, ...]
) -> None:
    window = make_window(client, tenant, "keep")
    url = URL if verb == "POST" else window_url(window)
    assert_loc(client.request(verb, url, json={"name": "w", **body}, headers=tenant.headers), *loc)
    assert client.get(URL, headers=tenant.headers).json() == [window]


@pytest.mark.parametrize("day", [True, "1"])
def test_days_must_be_integers(client: TestClient, tenant: TenantCtx, day: Any) -> None:
    body = {"name": "w", **weekly(days=[day])}
    assert_loc(client.post(URL, json=body, headers=tenant.headers), "recurrence", "days", 0)


@pytest.mark.parametrize("field", ["integration_id", "client_id", "asset_id"])
@pytest.mark.parametrize("whose", ["other tenant", "nobody"])
def test_scope_ids_outside_the_tenant_are_422_naming_the_field(
    client: TestClient,
    tenant: TenantCtx,
    make_tenant: Callable[..., TenantCtx],
    session: Session,
    field: str,
    whose: str,
) -> None:
    ours = scope(session, tenant.id)
    bad = scope(session, make_tenant().id)[field] if whose == "other tenant" else str(uuid.uuid4())
    body = {"name": "w", **ONE_OFF, **ours, field: bad}
    assert_loc(client.post(URL, json=body, headers=tenant.headers), field)
    window = make_window(client, tenant, "keep", **ONE_OFF, **ours)
    assert_loc(client.put(window_url(window), json=body, headers=tenant.headers), field)
    assert client.get(URL, headers=tenant.headers).json() == [window]


# --- roles and tenancy ---------------------------------------------------------------------


def every_route(window_id: object) -> list[tuple[str, str, Json | None]]:
    url, body = f"{URL}/{window_id}", {"name": "x", **ONE_OFF}
    return [("GET", URL, None), ("POST", URL, body), ("GET", url, None), ("PUT", url, body),
            ("DELETE", url, None)]  # fmt: skip


def test_technicians_may_not_touch_windows(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    window = make_window(client, tenant)
    for method, path, body in every_route(window["id"]):
        response = client.request(method, path, json=body, headers=technician[1])
        assert response.status_code == 403, (method, path, response.text)
        assert client.request(method, path, json=body).status_code == 401
    assert client.get(URL, headers=tenant.headers).json() == [window]


def test_another_tenants_window_is_404(
    client: TestClient, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    theirs = make_window(client, other, "theirs")
    for method, path, body in every_route(theirs["id"])[2:]:
        response = client.request(method, path, json=body, headers=tenant.headers)
        assert response.status_code == 404, (method, path, response.text)
    assert listed(client, tenant) == []
    assert client.get(URL, headers=other.headers).json() == [theirs]
