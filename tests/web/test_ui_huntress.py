"""The Huntress page in the browser (seed 001 Tasks 13 to 15) against the fake Huntress API:
connect card under "Security", status and the paused banner, routing saved with inline
errors, "Poll now" with its counts, and the organizations' tickets switch."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.storage.models import User
from alertdesk.testing.fakes import FakeVendors
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, default_board, make_board, make_client, priority_id
from tests.web.integration_helpers import API, get_json
from tests.web.ui_support import page_token, sign_in

PAGE = "/ui/settings/integrations"


@pytest.fixture(autouse=True)
def no_pacing() -> Any:
    from alertdesk.providers.huntress.api import pacer_for

    pacer = pacer_for("https://huntress.test", "hk-key")
    pacer.interval = 0
    yield
    pacer.interval = 1.1


def submit(client: TestClient, url: str, **fields: Any) -> Any:
    return client.post(url, data={"csrf_token": page_token(client), **fields})


@pytest.fixture
def huntress(client: TestClient, tenant: TenantCtx) -> str:
    """Connected through the UI's connect card; the Huntress page it lands on is checked."""
    make_client(client, tenant.headers, "Acme Dental")  # Huntress org 77120: matched by name
    sign_in(client, tenant.admin.email)
    listing = client.get(PAGE).text
    security = listing[listing.index(">Security</h2>") :]
    assert "Connect Huntress" in security
    page = submit(client, PAGE, provider="huntress", instance_url="https://huntress.test",
                  api_key="hk-key", api_secret="hk-secret")  # fmt: skip
    assert page.status_code == 200, page.text
    assert "Polling is paused until routing is complete" in page.text
    [row] = [i for i in get_json(client, tenant.headers, API) if i["provider"] == "huntress"]
    return str(row["id"])


def routing_form(client: TestClient, tenant: TenantCtx) -> dict[str, Any]:
    triage = make_board(client, tenant.headers, "Security Triage", [
        {"name": "New", "is_default": True}, {"name": "Done", "is_closed": True},
    ])  # fmt: skip
    return {
        "board_id": default_board(client, tenant.headers)["id"],
        "fallback_client_id": make_client(client, tenant.headers, "Unassigned")["id"],
        "fallback_board_id": triage["id"],
        "critical": priority_id(client, tenant.headers, "Critical"),
        "high": priority_id(client, tenant.headers, "High"),
        "low": priority_id(client, tenant.headers, "Low"),
        "poll_interval_minutes": "10",
        "backfill_days": "7",
    }


def test_connecting_shows_the_account_the_counts_and_what_routing_still_needs(
    client: TestClient, huntress: str
) -> None:
    page = client.get(f"{PAGE}/{huntress}").text
    banner = re.search(r'data-testid="routing-banner">(.*?)</div>', page, re.S)
    assert banner is not None
    assert "a security board" in banner.group(1)
    assert "a fallback client" in banner.group(1)
    assert "a priority for critical incidents" not in banner.group(1)  # prefilled by name
    assert "Organizations</dt><dd>2" in page
    assert "1 unmapped" in page
    assert "matched by name" in page
    assert "Webhook" not in page  # Huntress is polled: no webhook section


def test_complete_routing_lifts_the_banner_and_poll_now_makes_tickets(
    client: TestClient, tenant: TenantCtx, huntress: str, vendors: FakeVendors
) -> None:
    recent = datetime.now(UTC) - timedelta(hours=1)
    for n, incident in enumerate(vendors.huntress.incidents):
        incident["updated_at"] = (recent + timedelta(minutes=n)).isoformat()
    not_yet = submit(client, f"{PAGE}/{huntress}/poll")
    assert "Not polled:" in not_yet.text

    saved = submit(client, f"{PAGE}/{huntress}/routing", **routing_form(client, tenant))
    assert saved.status_code == 200
    assert saved.url.path == f"{PAGE}/{huntress}"
    assert "Polling is paused" not in saved.text
    settings = get_json(client, tenant.headers, f"{API}/{huntress}")["settings"]
    assert settings["poll_interval_minutes"] == 10
    assert settings["auto_close_tickets"] is False

    polled = submit(client, f"{PAGE}/{huntress}/poll")
    result = re.search(r'data-testid="poll-result">(.*?)</div>', polled.text, re.S)
    assert result is not None
    assert "Poll finished." in result.group(1)
    created = re.search(r"(\d+) tickets created", result.group(1))
    assert created is not None
    assert int(created.group(1)) == len(vendors.huntress.incidents) - 1  # one is already closed
    assert "Open tickets</dt><dd>0" not in polled.text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        pytest.param({"poll_interval_minutes": "0"}, "poll_interval_minutes", "greater than",
                     id="interval-too-small"),
        pytest.param({"backfill_days": "many"}, "backfill_days", "whole number", id="not-a-number"),
        pytest.param({"board_id": "nope"}, "board_id", "Choose one from the list", id="bad-id"),
    ],
)  # fmt: skip
def test_refused_routing_shows_the_reason_at_its_field(
    client: TestClient, tenant: TenantCtx, huntress: str, change: dict[str, str], field: str,
    message: str,
) -> None:  # fmt: skip
    before = get_json(client, tenant.headers, f"{API}/{huntress}")["settings"]
    page = submit(client, f"{PAGE}/{huntress}/routing", **{**routing_form(client, tenant),
                                                            **change})  # fmt: skip
    assert page.status_code == 422
    error = re.search(rf'class="field-error" id="{field}-error">([^<]*)<', page.text)
    assert error is not None, page.text
    assert message in error.group(1)
    assert get_json(client, tenant.headers, f"{API}/{huntress}")["settings"] == before


def test_a_board_of_another_tenant_is_refused_at_its_field(
    client: TestClient, tenant: TenantCtx, huntress: str, make_tenant: Callable[..., TenantCtx]
) -> None:
    foreign = default_board(client, make_tenant().headers)
    form = {**routing_form(client, tenant), "fallback_board_id": foreign["id"]}
    page = submit(client, f"{PAGE}/{huntress}/routing", **form)
    assert page.status_code == 422
    assert 'id="fallback_board_id-error"' in page.text


def test_an_organization_can_be_switched_to_record_only(
    client: TestClient, tenant: TenantCtx, huntress: str
) -> None:
    mappings: list[Json] = get_json(client, tenant.headers, f"{API}/{huntress}/org-mappings")
    acme = next(m for m in mappings if m["external_org_id"] == "77120")
    url = f"{PAGE}/{huntress}/mappings/{acme['id']}"
    response = submit(client, url, client_id=acme["client_id"], auto_create_tickets="off")
    assert response.status_code == 200
    after = get_json(client, tenant.headers, f"{API}/{huntress}/org-mappings")
    acme_after = next(m for m in after if m["external_org_id"] == "77120")
    assert (acme_after["auto_create_tickets"], acme_after["client_id"]) == (
        False,
        acme["client_id"],
    )
    assert "Record only" in response.text


def test_technicians_cannot_change_routing(
    client: TestClient, huntress: str, technician: tuple[User, dict[str, str]]
) -> None:
    client.cookies.clear()
    sign_in(client, technician[0].email)
    assert client.get(f"{PAGE}/{huntress}").status_code == 403
    assert submit(client, f"{PAGE}/{huntress}/routing", board_id="").status_code == 403
