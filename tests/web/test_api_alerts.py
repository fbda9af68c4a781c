"""Alerts over the API: filtered lists, the decision trace, a ticket by hand, the event log."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.storage.models import User
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    NOW,
    World,
    add_integration,
    add_rule,
    add_window,
    build_world,
    make_event,
    tickets,
)
from tests.web.api_helpers import Json, created, default_board, make_board, priority_id, status_id

Tech = tuple[User, dict[str, str]]


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


def get(client: TestClient, headers: dict[str, str], path: str, **params: str) -> Any:
    response = client.get(f"/api/v1{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def trigger(session: Session, world: World, alert_id: str, **event: Any) -> uuid.UUID:
    """Run one triggered event through the pipeline; the alert's id."""
    outcome = world.process(session, world.event(external_alert_id=alert_id, **event))
    assert outcome.alert_id is not None, outcome
    return outcome.alert_id


def create_ticket(
    client: TestClient, headers: dict[str, str], alert_id: object, **body: Any
) -> Any:
    url = f"/api/v1/alerts/{alert_id}/create-ticket"
    return client.post(url, json=body or None, headers=headers)


# --- list and detail -----------------------------------------------------------------------


def test_list_filters_by_status_integration_and_ticket(
    client: TestClient, session: Session, tenant: TenantCtx, world: World, technician: Tech
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    disk = trigger(session, world, "A-1")
    cpu = trigger(session, world, "A-2", condition="CPU")
    again = trigger(session, world, "A-3")  # same device and condition: joins A-1's ticket
    world.process(session, world.event(kind="reset", external_alert_id="A-2"))
    tactical = add_integration(session, world.tenant, "tacticalrmm")
    quiet = process_quiet(session, world, tactical.id)
    ticket = get(client, tenant.headers, f"/alerts/{disk}")["ticket_id"]

    def ids(**params: str) -> set[str]:
        return {a["id"] for a in get(client, technician[1], "/alerts", **params)}

    assert ids() == {str(a) for a in (disk, cpu, again, quiet)}
    assert ids(status="resolved") == {str(cpu)}
    assert ids(status="active") == {str(disk), str(again), str(quiet)}
    assert ids(integration_id=str(tactical.id)) == {str(quiet)}
    assert ids(ticket_id=ticket) == {str(disk), str(again)}
    assert ids(status="active", integration_id=str(world.integration.id)) == {str(disk), str(again)}
    assert ids(ticket_id=str(uuid.uuid4())) == set()
    response = client.get("/api/v1/alerts", params={"status": "open"}, headers=tenant.headers)
    assert response.status_code == 422


def test_list_filters_by_severity_and_client(
    client: TestClient, session: Session, world: World, technician: Tech
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    on_asset = trigger(session, world, "A-1", severity="critical")  # the asset's client
    mapped = trigger(session, world, "A-2", device="unknown-device", condition="CPU")
    nowhere = trigger(
        session, world, "A-3", device="unknown-device", org="unmapped", severity="minor"
    )

    def ids(**params: str) -> set[str]:
        return {a["id"] for a in get(client, technician[1], "/alerts", **params)}

    assert ids(severity="critical") == {str(on_asset)}
    assert ids(severity="major") == {str(mapped)}
    assert ids(severity="minor") == {str(nowhere)}
    assert ids(severity="none") == set()
    assert ids(client_id=str(world.client.id)) == {str(on_asset)}
    assert ids(client_id=str(world.mapped_client.id)) == {str(mapped)}
    assert ids(client_id=str(world.mapped_client.id), severity="critical") == set()
    assert ids(client_id=str(uuid.uuid4())) == set()
    for bad in ({"severity": "urgent"}, {"client_id": "acme"}):
        response = client.get("/api/v1/alerts", params=bad, headers=technician[1])
        assert response.status_code == 422, response.text


def process_quiet(session: Session, world: World, integration_id: uuid.UUID) -> uuid.UUID:
    """An alert of another integration with no rules: recorded only."""
    event = make_event(world.tenant, integration_id, external_alert_id="T-1", org=None)
    outcome = world.process(session, event)
    assert outcome.outcome == "recorded_only"
    assert outcome.alert_id is not None
    return outcome.alert_id


def test_detail_has_the_decision_trace_and_raw(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    rule = add_rule(session, world.tenant, world.integration.id, name="disks")
    window = add_window(session, world.tenant, name="patching", starts_at=NOW + timedelta(hours=1),
                        ends_at=NOW + timedelta(hours=2))  # fmt: skip
    raw = {"seriesUid": "A-1", "nested": {"n": [1, 2]}}
    first = trigger(session, world, "A-1", raw=raw)
    second = trigger(session, world, "A-2")
    muted = trigger(session, world, "A-3", condition="CPU", occurred_at=NOW + timedelta(hours=1))
    h = tenant.headers

    detail = get(client, h, f"/alerts/{first}")
    ticket = {"id": detail["ticket_id"], "number": "TKT-000001", "created": True}
    assert detail["raw"] == raw
    assert detail["decision"] == {
        "outcome": "ticket_created",
        "window": None,
        "windows_passed": [{"id": str(window.id), "name": "patching"}],  # later that day
        "rule": {"id": str(rule.id), "name": "disks", "position": 1},
        "warnings": [],
        "ticket": ticket,
    }
    assert (detail["matched_rule_id"], detail["auto_ticket_created"]) == (str(rule.id), True)
    assert (detail["status"], detail["occurrence_count"], detail["client_id"]) == (
        "active", 2, str(world.client.id)
    )  # fmt: skip
    dedup = get(client, h, f"/alerts/{second}")
    assert (dedup["ticket_id"], dedup["auto_ticket_created"]) == (ticket["id"], False)
    assert dedup["decision"]["outcome"] == "occurrence_appended"
    assert dedup["decision"]["dedup"] == {
        "ticket_id": ticket["id"],
        "first_alert_id": str(first),
        "occurrence": 2,
    }
    suppressed = get(client, h, f"/alerts/{muted}")
    assert (suppressed["status"], suppressed["ticket_id"]) == ("suppressed", None)
    assert suppressed["suppressed_by_window_id"] == str(window.id)
    assert suppressed["decision"]["outcome"] == "suppressed"
    assert suppressed["decision"]["window"] == {"id": str(window.id), "name": "patching"}
    assert suppressed["decision"]["rule"] is None


def test_unknown_and_foreign_alerts_are_404(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    world: World,
    make_tenant: Callable[..., TenantCtx],
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    alert = trigger(session, world, "A-1")
    other = make_tenant()
    for alert_id in (alert, uuid.uuid4()):
        assert client.get(f"/api/v1/alerts/{alert_id}", headers=other.headers).status_code == 404
        assert create_ticket(client, other.headers, alert_id).status_code == 404
    assert get(client, other.headers, "/alerts") == []
    assert get(client, tenant.headers, f"/alerts/{alert}")["id"] == str(alert)


# --- create a ticket by hand ---------------------------------------------------------------


@pytest.fixture
def unlinked(session: Session, world: World) -> uuid.UUID:
    """A-1, recorded only: its rule does not create tickets."""
    add_rule(session, world.tenant, world.integration.id, actions={"create_ticket": False})
    alert = trigger(session, world, "A-1")
    assert tickets(session, world.tenant) == []
    return alert


def test_create_ticket_links_the_alert(
    client: TestClient, tenant: TenantCtx, world: World, unlinked: uuid.UUID
) -> None:
    h = tenant.headers
    assert get(client, h, f"/alerts/{unlinked}")["decision"]["outcome"] == "recorded_only"
    ticket = created(create_ticket(client, h, unlinked))
    assert (ticket["client_id"], ticket["source"], ticket["source_reference"]) == (
        str(world.client.id), "ninjaone", "A-1"
    )  # fmt: skip
    assert ticket["board_id"] == default_board(client, h)["id"]
    assert ticket["priority_id"] == priority_id(client, h, "High")  # severity major
    alert = get(client, h, f"/alerts/{unlinked}")
    assert (alert["ticket_id"], alert["auto_ticket_created"]) == (ticket["id"], False)
    decision = alert["decision"]
    assert decision["ticket"] == {"id": ticket["id"], "number": ticket["number"], "created": True}
    assert decision["manual_ticket"] == {"actor_kind": "user", "user_id": str(tenant.admin.id)}
    assert [a["id"] for a in get(client, h, f"/tickets/{ticket['id']}")["alerts"]] == [
        str(unlinked)
    ]
    again = create_ticket(client, h, unlinked)
    assert again.status_code == 409, again.text
    assert len(get(client, h, "/tickets")) == 1


def test_technician_creates_a_ticket_with_overrides(
    client: TestClient, tenant: TenantCtx, technician: Tech, unlinked: uuid.UUID
) -> None:
    statuses: list[Json] = [
        {"name": "Open", "is_default": True},
        {"name": "Done", "is_closed": True},
    ]
    board = make_board(client, tenant.headers, "Infra", statuses)
    low = priority_id(client, tenant.headers, "Low")
    body = {"board_id": board["id"], "priority_id": low, "assign_to_user_id": str(technician[0].id),
            "title_template": "{{ severity }} on {{ device }}"}  # fmt: skip
    ticket = created(create_ticket(client, technician[1], unlinked, **body))
    assert (ticket["board_id"], ticket["status_id"]) == (board["id"], status_id(board, "Open"))
    assert (ticket["priority_id"], ticket["assigned_to"]) == (low, str(technician[0].id))
    assert ticket["title"] == "major on WS-ACCT-01"
    decision = get(client, tenant.headers, f"/alerts/{unlinked}")["decision"]
    assert decision["manual_ticket"]["user_id"] == str(technician[0].id)


def test_create_ticket_uses_the_org_mapping_without_an_asset(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id, actions={"create_ticket": False})
    alert = trigger(session, world, "A-9", device="unknown-device")
    ticket = created(create_ticket(client, tenant.headers, alert))
    assert ticket["client_id"] == str(world.mapped_client.id)
    assert get(client, tenant.headers, f"/alerts/{alert}")["client_id"] == str(
        world.mapped_client.id
    )


def test_create_ticket_without_a_client_is_422(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id, actions={"create_ticket": False})
    alert = trigger(session, world, "A-9", device="unknown-device", org="unmapped-org")
    response = create_ticket(client, tenant.headers, alert)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "client_id"]]
    assert get(client, tenant.headers, f"/alerts/{alert}")["ticket_id"] is None
    assert get(client, tenant.headers, "/tickets") == []


@pytest.mark.parametrize("field", ["board_id", "priority_id", "assign_to_user_id"])
def test_create_ticket_with_unknown_override_ids_is_422(
    client: TestClient, tenant: TenantCtx, unlinked: uuid.UUID, field: str
) -> None:
    response = create_ticket(client, tenant.headers, unlinked, **{field: str(uuid.uuid4())})
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]


# --- events --------------------------------------------------------------------------------


def test_events_are_filtered_by_type_and_tenant_scoped(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    world: World,
    make_tenant: Callable[..., TenantCtx],
    technician: Tech,
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    ours = {
        str(trigger(session, world, "A-1")),
        str(trigger(session, world, "A-2", condition="CPU")),
    }
    other = make_tenant()
    their_world = build_world(session, other.id, other.admin.id)
    add_rule(session, other.id, their_world.integration.id)
    theirs = trigger(session, their_world, "A-1")

    triggered = get(client, technician[1], "/events", type="RMM_ALERT_TRIGGERED")
    assert {e["type"] for e in triggered} == {"RMM_ALERT_TRIGGERED"}
    assert {e["payload"]["alert_id"] for e in triggered} == ours
    everything = get(client, tenant.headers, "/events")
    assert (
        sorted(e["type"] for e in everything)
        == ["RMM_ALERT_TRIGGERED"] * 2 + ["TICKET_CREATED"] * 2
    )
    assert get(client, tenant.headers, "/events", type="NO_SUCH_TYPE") == []
    mine = get(client, other.headers, "/events", type="RMM_ALERT_TRIGGERED")
    assert [e["payload"]["alert_id"] for e in mine] == [str(theirs)]
