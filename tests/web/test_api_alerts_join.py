"""Create ticket on an alert whose condition already has an open ticket: it joins that ticket
(as a repeat from the vendor would) instead of opening a duplicate."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.services.tickets import work
from alertdesk.storage.models import Alert
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    NOW,
    World,
    add_rule,
    build_world,
    comments,
    tickets,
)
from tests.web.api_helpers import created

RECORD_ONLY = {"create_ticket": False}


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    world = build_world(session, tenant.id, tenant.admin.id)
    add_rule(session, world.tenant, world.integration.id, actions=RECORD_ONLY)
    return world


def recorded(session: Session, world: World, alert_id: str, **event: Any) -> uuid.UUID:
    """An alert stored without a ticket (its rule records only)."""
    outcome = world.process(session, world.event(external_alert_id=alert_id, **event))
    assert (outcome.outcome, outcome.ticket_id) == ("recorded_only", None), outcome
    assert outcome.alert_id is not None
    return outcome.alert_id


def press(client: TestClient, headers: dict[str, str], alert_id: object) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/api/v1/alerts/{alert_id}/create-ticket", headers=headers
    )
    return response


def joined(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["joined"] is True
    return body


def alert_json(client: TestClient, headers: dict[str, str], alert_id: object) -> Any:
    response = client.get(f"/api/v1/alerts/{alert_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_second_alert_of_the_condition_joins_the_open_ticket(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    h = tenant.headers
    first, second = recorded(session, world, "A-1"), recorded(session, world, "A-2")
    ticket = created(press(client, h, first))
    assert ticket["joined"] is False

    same = joined(press(client, h, second))
    assert (same["id"], same["number"]) == (ticket["id"], ticket["number"])
    assert len(tickets(session, world.tenant)) == 1
    alert = alert_json(client, h, second)
    assert (alert["ticket_id"], alert["auto_ticket_created"]) == (ticket["id"], False)
    assert alert["decision"]["dedup"] == {
        "ticket_id": ticket["id"], "first_alert_id": str(first), "occurrence": 2,
    }  # fmt: skip
    assert alert["decision"]["ticket"] == {
        "id": ticket["id"], "number": ticket["number"], "created": False,
    }  # fmt: skip
    assert alert["decision"]["manual_ticket"] == {
        "actor_kind": "user", "user_id": str(tenant.admin.id),
    }  # fmt: skip
    assert alert["decision"]["outcome"] == "recorded_only"  # what the pipeline decided stays
    assert alert_json(client, h, first)["occurrence_count"] == 2
    notes = [c.body for c in comments(session, world.tenant, uuid.UUID(ticket["id"]))]
    assert any(n.startswith("Alert linked by hand — 2nd occurrence.\n") for n in notes), notes
    linked = client.get(f"/api/v1/tickets/{ticket['id']}", headers=h).json()["alerts"]
    assert sorted(a["id"] for a in linked) == sorted([str(first), str(second)])


def test_the_third_alert_counts_on_and_a_repeat_from_the_vendor_follows(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    h = tenant.headers
    first, second, third = (recorded(session, world, f"A-{n}") for n in (1, 2, 3))
    ticket = created(press(client, h, first))
    joined(press(client, h, second))
    assert joined(press(client, h, third))["id"] == ticket["id"]
    assert alert_json(client, h, third)["decision"]["dedup"]["occurrence"] == 3
    add_rule(session, world.tenant, world.integration.id, name="tickets", order=-1)
    repeat = world.process(session, world.event(external_alert_id="A-4"))
    assert (repeat.outcome, str(repeat.ticket_id)) == ("occurrence_appended", ticket["id"])
    assert occurrences(session, world.tenant, first) == 4


def occurrences(session: Session, tenant: uuid.UUID, alert_id: uuid.UUID) -> int:
    session.expire_all()  # counted with a bulk UPDATE
    return session.get_one(Alert, (tenant, alert_id)).occurrence_count


def test_an_alert_already_linked_is_409_and_changes_nothing(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    h = tenant.headers
    first, second = recorded(session, world, "A-1"), recorded(session, world, "A-2")
    created(press(client, h, first))
    joined(press(client, h, second))
    for alert in (first, second):
        response = press(client, h, alert)
        assert response.status_code == 409, response.text
    assert alert_json(client, h, first)["occurrence_count"] == 2
    assert len(tickets(session, world.tenant)) == 1


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"condition": "CPU"}, id="another-condition"),
        pytest.param({"device": "dev-2"}, id="another-device"),
        pytest.param({"org": "org-2"}, id="another-organization"),
    ],
)
def test_another_condition_gets_its_own_ticket(
    client: TestClient, session: Session, tenant: TenantCtx, world: World, other: dict[str, Any]
) -> None:
    h = tenant.headers
    first = recorded(session, world, "A-1")
    second = recorded(session, world, "A-2", **other)
    mine = created(press(client, h, first))
    if other.get("org") == "org-2":  # its organization is not mapped: the asset's client
        assert alert_json(client, h, second)["client_id"] == str(world.client.id)
    theirs = created(press(client, h, second))
    assert (theirs["joined"], theirs["id"] == mine["id"]) == (False, False)


def test_a_closed_ticket_is_not_joined(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    h = tenant.headers
    first, second = recorded(session, world, "A-1"), recorded(session, world, "A-2")
    old = created(press(client, h, first))
    work.close_ticket(session, world.tenant, uuid.UUID(old["id"]), Actor.user(world.admin_id), NOW)
    new = created(press(client, h, second))
    assert (new["joined"], new["id"] == old["id"]) == (False, False)


def test_the_open_ticket_of_another_tenant_is_never_joined(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    world: World,
    make_tenant: Callable[..., TenantCtx],
) -> None:
    """Same vendor ids, device, condition and organization in another tenant: not ours."""
    other = make_tenant()
    their_world = build_world(
        session, other.id, other.admin.id, integration_id=world.integration.id
    )
    add_rule(session, other.id, their_world.integration.id, actions=RECORD_ONLY)
    their_alert = recorded(session, their_world, "A-1")
    theirs = created(press(client, other.headers, their_alert))
    assert press(client, other.headers, recorded(session, world, "A-2")).status_code == 404

    mine = created(press(client, tenant.headers, recorded(session, world, "A-3")))
    assert (mine["joined"], mine["id"] == theirs["id"]) == (False, False)
    assert occurrences(session, other.id, their_alert) == 1
    assert len(tickets(session, other.id)) == 1
