"""No vendor call runs inside a database transaction: connect, sync, disconnect (API and UI),
the NinjaOne OAuth callback and the outbound reset, on an app whose requests really commit,
with a vendor transport that fails any call made while a connection is idle in a transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from alertdesk.app import create_app
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.auth import issue_token
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.integrations.client import IntegrationClient
from alertdesk.services.integrations.outbound import ResetResult, reset_alerts_for_ticket
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.testing.fakes import NINJA_URL, TACTICAL_URL, FakeVendors
from tests.conftest import PASSWORD
from tests.fakes.transactions import NoOpenTransaction, migrated_database
from tests.web.api_helpers import Json, make_client
from tests.web.integration_helpers import API, NINJA, TACTICAL, connect, ticket_from_tactical
from tests.web.ui_support import page_token, sign_in, text_of

PAGE = "/ui/settings/integrations"
CALLS = {  # what connect, sync and disconnect ask each vendor
    "ninjaone": {"POST /ws/oauth/token", "GET /v2/organizations", "PUT /v2/webhook"}
    | {"DELETE /v2/webhook"},
    "tacticalrmm": {"GET /agents/", "GET /clients/"},
}
OAUTH = "/api/v1/integrations/ninjaone/oauth"


@dataclass
class Live:
    app: FastAPI
    database: Database
    check: NoOpenTransaction
    vendors: FakeVendors = field(default_factory=FakeVendors)


@pytest.fixture(scope="module")
def live(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    database, url = migrated_database(make_database)
    check = NoOpenTransaction(url, lambda request: holder.vendors.handler()(request))
    settings = Settings(
        database_url="postgresql://unused",
        data_dir=Path(tmp_path_factory.mktemp("live")),
        secret_key="k" * 48,
    )
    http = httpx.Client(transport=httpx.MockTransport(check))
    app = create_app(Runtime.build(settings, database, http=http))
    holder = Live(app, database, check)  # each test puts its own fakes in
    yield holder
    http.close()
    check.close()
    database.dispose()


@pytest.fixture
def vendors(live: Live) -> Iterator[FakeVendors]:
    """This test's fakes behind the module's app; it fails on any call inside a transaction."""
    fresh = FakeVendors()
    live.vendors = fresh
    live.check.reset()
    yield fresh
    assert live.check.violations == []


@dataclass(frozen=True)
class Admin:
    tenant: uuid.UUID
    email: str
    headers: dict[str, str]


@pytest.fixture
def admin(live: Live) -> Admin:
    """A new tenant and its admin, committed."""
    suffix = uuid.uuid4().hex[:8]
    email = f"admin-{suffix}@example.com"
    with live.database.transaction() as session:
        tenant, user = create_tenant(session, f"MSP {suffix}", email, PASSWORD)
        token = issue_token(session, user, "test", datetime.now(UTC)).secret
    return Admin(tenant.tenant, email, {"Authorization": f"Bearer {token}"})


@pytest.fixture
def browser(live: Live) -> TestClient:
    return TestClient(live.app, follow_redirects=False)


def test_the_check_fails_a_vendor_call_made_inside_a_transaction(
    live: Live, vendors: FakeVendors
) -> None:
    http: httpx.Client = live.app.state.runtime.vendor.http
    with live.database.transaction() as session:
        session.execute(text("select 1"))
        with pytest.raises(AssertionError, match="inside a transaction"):
            http.get(f"{TACTICAL_URL}/clients/")
    [violation] = live.check.violations
    assert violation.startswith("GET /clients/ during [(")
    live.check.reset()
    assert http.get(f"{TACTICAL_URL}/clients/").status_code == 401  # outside: checked, passed
    assert live.check.checked == ["GET /clients/"]


@pytest.mark.parametrize("body", [NINJA, TACTICAL], ids=["ninjaone", "tacticalrmm"])
def test_connect_sync_and_disconnect(
    live: Live, vendors: FakeVendors, admin: Admin, browser: TestClient, body: Json
) -> None:
    hook = connect(browser, admin.headers, body)
    assert (hook["is_active"], hook["warnings"]) == (True, [])
    synced = browser.post(f"{API}/{hook['id']}/org-mappings/sync", headers=admin.headers)
    assert synced.status_code == 200, synced.text
    gone = browser.delete(f"{API}/{hook['id']}", headers=admin.headers)
    assert (gone.status_code, gone.json()["warnings"]) == (200, [])
    again = connect(browser, admin.headers, body)  # the row is reused
    assert again["id"] == hook["id"]
    assert set(live.check.checked) == CALLS[body["provider"]]


def test_a_rejected_connect_stores_nothing(
    live: Live, vendors: FakeVendors, admin: Admin, browser: TestClient
) -> None:
    wrong = TACTICAL | {"credentials": {"api_key": "wrong"}}
    assert browser.post(API, json=wrong, headers=admin.headers).status_code == 422
    assert browser.get(API, headers=admin.headers).json() == []
    assert live.check.checked == ["GET /agents/"]
    vendors.ninjaone.fail("/v2/webhook", 503)
    assert browser.post(API, json=NINJA, headers=admin.headers).status_code == 502
    assert browser.get(API, headers=admin.headers).json() == []


def test_the_ninjaone_oauth_callback(
    live: Live, vendors: FakeVendors, admin: Admin, browser: TestClient
) -> None:
    pending = connect(browser, admin.headers, NINJA, settings={"authorization": "oauth"})
    sign_in(browser, admin.email)
    started = browser.get(f"{OAUTH}/start", params={"integration_id": pending["id"]})
    state = httpx.URL(started.headers["location"]).params["state"]
    done = browser.get(f"{OAUTH}/callback", params={"code": "good-code", "state": state})
    assert done.status_code == 200, done.text
    assert "is connected" in text_of(done.text)
    assert vendors.ninjaone.webhook is not None
    # the exchange, the check and the webhook were checked; the sync spent refresh-1 under lock
    assert live.check.checked[:3] == [
        "POST /ws/oauth/token",
        "GET /v2/organizations",
        "PUT /v2/webhook",
    ]
    assert vendors.ninjaone.refresh_tokens == ["refresh-1"]


def test_the_ui_buttons(
    live: Live, vendors: FakeVendors, admin: Admin, browser: TestClient
) -> None:
    sign_in(browser, admin.email)
    form = {"provider": "tacticalrmm", "instance_url": TACTICAL_URL, "api_key": "tactical-key"}
    page = browser.post(PAGE, data={"csrf_token": page_token(browser, PAGE), **form})
    assert page.status_code == 200, page.text
    [integration] = browser.get(API, headers=admin.headers).json()
    detail = f"{PAGE}/{integration['id']}"
    for action in ("sync", "disconnect"):
        token = page_token(browser, detail)
        assert browser.post(f"{detail}/{action}", data={"csrf_token": token}).status_code == 303
    form = {"provider": "ninjaone", "instance_url": NINJA_URL, "client_id": "ninja-client"}
    refused = browser.post(PAGE, data={"csrf_token": page_token(browser, PAGE), **form})
    assert refused.status_code == 422  # no secret: refused before any vendor call
    assert live.check.checked.count("GET /clients/") == 2


def test_the_outbound_reset(
    live: Live, vendors: FakeVendors, admin: Admin, browser: TestClient
) -> None:
    make_client(browser, admin.headers, "Acme Dental")
    hook = connect(browser, admin.headers, TACTICAL)
    delivery = ticket_from_tactical(browser, admin.headers, hook)
    vendor = live.app.state.runtime.vendor
    adapter = IntegrationClient(live.database, vendor, admin.tenant, uuid.UUID(hook["id"]))
    ticket_id = uuid.UUID(delivery["ticket_id"])
    now = datetime.now(UTC)
    results = reset_alerts_for_ticket(
        live.database, admin.tenant, ticket_id, {"tacticalrmm": adapter}, now
    )
    assert results == [ResetResult(uuid.UUID(delivery["alert_id"]), "reset")]
    assert vendors.tactical.resolved == ["1423"]
    assert "PUT /alerts/1423/" in live.check.checked
