"""One ticket opener: a ticket made by a person (API or UI), by the alert "create ticket"
action or by a rule publishes TICKET_CREATED once, naming who opened it."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import World, add_rule, build_world
from tests.web.api_helpers import Json, created, make_client
from tests.web.test_api_alerts import create_ticket, trigger
from tests.web.ui_support import page_token, sign_in
from tests.web.webhook_support import get


def created_events(client: TestClient, tenant: TenantCtx) -> list[Json]:
    found: list[Json] = get(client, tenant.headers, "/events", type="TICKET_CREATED")
    return found


def expected(ticket: Json, source: str, actor: uuid.UUID | None) -> Json:
    payload = {
        "ticket_id": ticket["id"],
        "number": ticket["number"],
        "client_id": ticket["client_id"],
        "source": source,
        "actor_kind": "user" if actor else "system",
    }
    return payload | ({"actor_user_id": str(actor)} if actor else {})


def test_a_ticket_made_through_the_api_publishes_ticket_created(
    client: TestClient, tenant: TenantCtx
) -> None:
    acme = make_client(client, tenant.headers)
    body = {"title": "VPN down", "client_id": acme["id"]}
    ticket = created(client.post("/api/v1/tickets", json=body, headers=tenant.headers))
    [event] = created_events(client, tenant)
    assert event["payload"] == expected(ticket, "api", tenant.admin.id)


def test_a_ticket_made_in_the_ui_publishes_ticket_created(
    client: TestClient, tenant: TenantCtx
) -> None:
    acme = make_client(client, tenant.headers)
    sign_in(client, tenant.admin.email)
    form = {"csrf_token": page_token(client), "title": "Printer", "client_id": acme["id"]}
    assert client.post("/ui/tickets", data=form, follow_redirects=False).status_code == 303
    [ticket] = get(client, tenant.headers, "/tickets")
    [event] = created_events(client, tenant)
    assert event["payload"] == expected(ticket, "manual", tenant.admin.id)


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


def test_the_alert_action_and_a_rule_publish_ticket_created(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    unlinked = trigger(session, world, "A-1")  # no rule yet: recorded only
    by_hand = created(create_ticket(client, tenant.headers, unlinked))
    add_rule(session, tenant.id, world.integration.id)
    trigger(session, world, "A-2", condition="CPU")
    session.flush()
    by_rule = next(t for t in get(client, tenant.headers, "/tickets") if t["id"] != by_hand["id"])
    payloads = {e["payload"]["ticket_id"]: e["payload"] for e in created_events(client, tenant)}
    assert payloads == {
        by_hand["id"]: expected(by_hand, "ninjaone", tenant.admin.id),
        by_rule["id"]: expected(by_rule, "ninjaone", None),
    }
