"""The delivery lists (API and UI) never load bodies; "Retry failed" in the UI replays."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, update
from sqlalchemy.orm import Session

from alertdesk.storage.models import Integration
from tests.conftest import TenantCtx
from tests.web.api_helpers import make_client
from tests.web.ui_support import page_token, sign_in
from tests.web.webhook_support import (
    Connected,
    add_rule,
    connect_ninja,
    deliver,
    inbound_events,
    payload,
    tickets,
)

TRIGGER = payload("ninjaone", "condition_triggered.json")
# the body column anywhere but inside octet_length(…)
BODY_COLUMN = re.compile(r"(?<!octet_length\()inbound_event\.body\b")


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Connected:
    make_client(client, tenant.headers, "KMSP Radio Station")  # organization 2 auto-links to it
    integration = connect_ninja(client, tenant.headers)
    add_rule(client, integration)
    return integration


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_the_delivery_lists_never_load_bodies(
    client: TestClient, tenant: TenantCtx, ninja: Connected, statements: list[str]
) -> None:
    deliver(client, ninja, TRIGGER)
    sign_in(client, tenant.admin.email)
    statements.clear()
    [shown] = inbound_events(client, ninja)
    assert shown["size"] == len(TRIGGER)
    page = client.get(f"/ui/settings/integrations/{ninja.id}")
    assert page.status_code == 200
    assert "ticket_created" in page.text
    listing = [s for s in statements if "FROM inbound_event" in s]
    assert len(listing) == 2
    assert all("octet_length(inbound_event.body)" in s for s in listing)
    assert [s for s in statements if BODY_COLUMN.search(s)] == []


def test_retry_failed_in_the_ui_processes_the_failed_deliveries(
    client: TestClient, session: Session, tenant: TenantCtx, ninja: Connected
) -> None:
    session.execute(
        update(Integration)
        .where(Integration.id == uuid.UUID(ninja.id))
        .values(settings={"default_severity": "apocalyptic"})
    )
    session.flush()
    assert deliver(client, ninja, TRIGGER).status_code == 202
    session.execute(
        update(Integration).where(Integration.id == uuid.UUID(ninja.id)).values(settings={})
    )
    session.flush()
    sign_in(client, tenant.admin.email)
    page = f"/ui/settings/integrations/{ninja.id}"
    assert "Retry failed" in client.get(page).text
    token = page_token(client, page)
    response = client.post(f"{page}/replay", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("#deliveries")
    [shown] = inbound_events(client, ninja)
    assert (shown["status"], shown["attempts"]) == ("processed", 2)
    assert len(tickets(client, ninja.admin)) == 1
    missing = f"/ui/settings/integrations/{uuid.uuid4()}/replay"
    assert client.post(missing, data={"csrf_token": token}).status_code == 404
