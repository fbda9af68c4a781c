"""Admins plan maintenance windows in the browser: weekly or one-off (typed in their own
timezone), scoped by integration/client/asset, with inline errors, on/off and delete."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.storage.models import User
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, created, make_client
from tests.web.integration_helpers import TACTICAL, connect, get_json
from tests.web.ui_support import page_token, sign_in

P = pytest.param
PAGE = "/ui/settings/windows"


@pytest.fixture
def admin(client: TestClient, tenant: TenantCtx) -> TenantCtx:
    sign_in(client, tenant.admin.email)
    return tenant


def windows(client: TestClient, tenant: TenantCtx) -> list[Json]:
    found: list[Json] = get_json(client, tenant.headers, "/api/v1/maintenance-windows")
    return found


def submit(client: TestClient, url: str, **fields: Any) -> Any:
    body = {"csrf_token": page_token(client), **fields}
    return client.post(url, data=body, follow_redirects=False)


WEEKLY = {"name": "Patch night", "is_active": "1", "schedule": "weekly", "days": ["6", "0"],
          "start_time": "22:00", "end_time": "04:00", "timezone": "Europe/Berlin"}  # fmt: skip


def test_the_empty_list_invites_to_plan_a_window(client: TestClient, admin: TenantCtx) -> None:
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "No maintenance windows" in page.text


def test_create_a_weekly_window_scoped_to_an_integration(
    client: TestClient, admin: TenantCtx
) -> None:
    hook = connect(client, admin.headers, TACTICAL)
    response = submit(client, f"{PAGE}/new", **WEEKLY, integration_id=hook["id"])
    assert response.status_code == 303, response.text
    [window] = windows(client, admin)
    assert window["integration_id"] == hook["id"]
    assert window["recurrence"] == {"type": "weekly", "days": [0, 6], "start_time": "22:00",
                                    "end_time": "04:00", "timezone": "Europe/Berlin"}  # fmt: skip
    listing = client.get(PAGE).text
    assert "Weekly, Sun, Sat" in listing
    assert "Tactical RMM" in listing
    assert re.search(r'data-testid="window-state">\s*<span class="(muted">Next|badge badge-warn)',
                     listing)  # fmt: skip


def test_a_one_off_window_is_typed_in_the_admins_timezone(
    client: TestClient, admin: TenantCtx
) -> None:
    client.cookies.set("alertdesk_tz", "America%2FNew_York")
    form = client.get(f"{PAGE}/new").text
    assert 'value="America/New_York"' in form  # the timezone field starts at the admin's zone
    response = submit(
        client, f"{PAGE}/new", name="Server move", is_active="1", schedule="once",
        starts_at="2026-12-24T22:00", ends_at="2026-12-25T02:00", timezone="America/New_York",
    )  # fmt: skip
    assert response.status_code == 303, response.text
    [window] = windows(client, admin)
    starts = datetime.fromisoformat(window["starts_at"])
    assert starts == datetime(2026, 12, 25, 3, 0, tzinfo=UTC)
    assert window["recurrence"] is None
    listing = client.get(PAGE).text
    assert "Thu 24 Dec 2026, 22:00" in listing  # shown back on the admin's wall clock
    edit = client.get(f"{PAGE}/{window['id']}").text
    assert 'value="2026-12-24T22:00"' in edit


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        P({"days": []}, "days", "Tick at least one day", id="no-days"),
        P({"start_time": "25:00"}, "start_time", "Enter a time like 22:00", id="bad-time"),
        P({"end_time": "22:00"}, "end_time", "must differ", id="empty-range"),
        P({"timezone": "Mars/Base"}, "timezone", "Unknown IANA timezone", id="bad-zone"),
        P({"name": ""}, "name", "Give the window a name", id="no-name"),
        P({"client_id": "nope"}, "client_id", "not a valid id", id="bad-client-id"),
        P({"schedule": "once", "starts_at": "2026-12-25T02:00", "ends_at": "2026-12-24T22:00"},
          "ends_at", "after the start", id="ends-before-start"),
        P({"schedule": "once", "starts_at": "", "ends_at": "2026-12-24T22:00"},
          "starts_at", "Enter a date and time", id="no-start"),
    ],
)  # fmt: skip
def test_a_refused_window_shows_the_reason_at_its_field(
    client: TestClient, admin: TenantCtx, fields: dict[str, Any], field: str, message: str
) -> None:
    response = submit(client, f"{PAGE}/new", **{**WEEKLY, **fields})
    assert response.status_code == 422
    error = re.search(rf'class="field-error" id="{field}-error">([^<]*)<', response.text)
    assert error is not None, response.text
    assert message in error.group(1)
    assert windows(client, admin) == []


def test_a_client_of_another_tenant_is_refused(
    client: TestClient, admin: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    foreign = make_client(client, make_tenant().headers, "Theirs")
    response = submit(client, f"{PAGE}/new", **WEEKLY, client_id=foreign["id"])
    assert response.status_code == 422
    assert 'id="client_id-error"' in response.text
    assert windows(client, admin) == []


def test_the_asset_picker_offers_the_chosen_clients_assets(
    client: TestClient, admin: TenantCtx
) -> None:
    acme, globex = (make_client(client, admin.headers, n) for n in ("Acme", "Globex"))
    for owner, name in ((acme, "ACME-FS01"), (globex, "GLOBEX-DC1")):
        body = {"client_id": owner["id"], "name": name}
        created(client.post("/api/v1/assets", json=body, headers=admin.headers))
    options = client.get(f"{PAGE}/asset-options", params={"client_id": acme["id"]}).text
    assert "ACME-FS01" in options
    assert "GLOBEX-DC1" not in options
    assert "GLOBEX-DC1" in client.get(f"{PAGE}/asset-options").text


def test_switch_off_edit_and_delete(client: TestClient, admin: TenantCtx) -> None:
    assert submit(client, f"{PAGE}/new", **WEEKLY).status_code == 303
    [window] = windows(client, admin)
    assert submit(client, f"{PAGE}/{window['id']}/toggle").status_code == 303
    assert windows(client, admin)[0]["is_active"] is False
    assert ">Off</span>" in client.get(PAGE).text
    edited = submit(client, f"{PAGE}/{window['id']}", **{**WEEKLY, "name": "Renamed"})
    assert edited.status_code == 303
    assert windows(client, admin)[0]["name"] == "Renamed"
    assert submit(client, f"{PAGE}/{window['id']}/delete").status_code == 303
    assert windows(client, admin) == []


def test_another_tenants_window_is_unknown(
    client: TestClient, admin: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    body = {"name": "Theirs", "recurrence": {"type": "weekly", "days": [1], "start_time": "01:00",
            "end_time": "02:00", "timezone": "UTC"}}  # fmt: skip
    theirs = created(client.post("/api/v1/maintenance-windows", json=body, headers=other.headers))
    assert client.get(f"{PAGE}/{theirs['id']}").status_code == 404
    assert submit(client, f"{PAGE}/{theirs['id']}/delete").status_code == 404
    assert submit(client, f"{PAGE}/{theirs['id']}/toggle").status_code == 404
    assert windows(client, other)[0]["is_active"] is True


def test_technicians_cannot_reach_windows(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    sign_in(client, technician[0].email)
    assert client.get(PAGE).status_code == 403
    assert submit(client, f"{PAGE}/new", **WEEKLY).status_code == 403


def test_a_malformed_timezone_cookie_falls_back_to_utc(
    client: TestClient, admin: TenantCtx
) -> None:
    client.cookies.set("alertdesk_tz", "..%2F..%2Fetc%2Fpasswd")
    page = client.get(f"{PAGE}/new")
    assert page.status_code == 200
    assert 'name="timezone" list="zones" value="UTC"' in page.text
