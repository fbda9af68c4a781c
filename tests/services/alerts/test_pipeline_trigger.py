"""T011-T017: a triggered alert becomes a ticket, joins an open one, or is recorded only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.core.types import Severity
from alertdesk.services.accounts.users import create_user
from alertdesk.services.tickets.boards import list_priorities
from alertdesk.services.tickets.work import close_ticket
from alertdesk.storage.models import Board, TicketAsset, TicketStatus
from alertdesk.storage.ticket_numbers import sequence_name
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    NOW,
    World,
    add_board,
    add_mapping,
    add_rule,
    alerts,
    build_world,
    comments,
    event_types,
    events,
    tickets,
)

TECH: dict[str, str] = {"password": "long-password", "name": "Tess", "role": "technician"}


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


def priority_ids(session: Session, world: World) -> dict[str, Any]:
    return {p.name: p.id for p in list_priorities(session, world.tenant)}


def test_t011_trigger_creates_a_routed_ticket(session: Session, world: World) -> None:
    board = add_board(session, world.tenant, "Infra")
    tech = create_user(session, world.tenant, email="t@example.com", **TECH)
    low = priority_ids(session, world)["Low"]
    rule = add_rule(
        session,
        world.tenant,
        world.integration.id,
        name="disks",
        actions={
            "board_id": str(board.id),
            "priority_override": str(low),
            "assign_to_user_id": str(tech.id),
            "title_template": "{{severity}}: {{ device }}",
            "description_template": "{{message}} @ {{organization}}",
        },
    )
    raw = {"seriesUid": "A-1", "nested": {"n": [1, 2]}}
    outcome = world.process(session, world.event(raw=raw), NOW)

    assert outcome.outcome == "ticket_created"
    [alert] = alerts(session, world.tenant)
    [ticket] = tickets(session, world.tenant)
    assert (outcome.alert_id, outcome.ticket_id, outcome.rule_id) == (alert.id, ticket.id, rule.id)
    assert alert.raw == raw
    assert (alert.dedup_key, alert.matched_rule_id) == ("dev-1|DISK_SPACE", rule.id)
    assert (alert.status, alert.auto_ticket_created, alert.ticket_id) == ("active", True, ticket.id)
    assert (alert.asset_id, alert.client_id) == (world.asset.id, world.client.id)
    assert alert.occurrence_count == 1
    assert alert.decision["outcome"] == "ticket_created"
    assert alert.decision["rule"] == {"id": str(rule.id), "name": "disks", "position": 1}
    assert alert.decision["ticket"] == {
        "id": str(ticket.id),
        "number": ticket.number,
        "created": True,
    }
    assert (ticket.board_id, ticket.priority_id, ticket.assigned_to) == (board.id, low, tech.id)
    assert (ticket.source, ticket.source_reference) == ("ninjaone", "A-1")
    assert ticket.client_id == world.client.id
    assert ticket.title == "major: WS-ACCT-01"
    assert ticket.description == "Disk C: is 95% full @ Acme Holdings"
    linked = session.scalars(select(TicketAsset.asset_id).where(TicketAsset.ticket_id == ticket.id))
    assert list(linked) == [world.asset.id]
    [note] = comments(session, world.tenant, ticket.id)
    assert (note.is_internal, note.is_system, note.author_id) == (True, True, None)
    assert note.body == (
        "Ticket created automatically from a NinjaOne alert.\nExternal alert ID: A-1\n"
        "External device ID: dev-1\nSeverity: major"
    )
    by_type = {e.type: e.payload for e in events(session, world.tenant)}
    assert sorted(by_type) == ["RMM_ALERT_TRIGGERED", "TICKET_CREATED"]
    assert by_type["TICKET_CREATED"] == {
        "ticket_id": str(ticket.id),
        "number": ticket.number,
        "client_id": str(ticket.client_id),
        "source": "ninjaone",
        "actor_kind": "system",
    }
    triggered = by_type["RMM_ALERT_TRIGGERED"]
    required = {"tenant", "integration_id", "provider", "alert_id", "external_alert_id", "severity"}
    assert required <= set(triggered)
    assert triggered["tenant"] == str(world.tenant)
    assert "resolved_at" not in triggered  # absent fields are left out, not null
    assert None not in triggered.values()
    assert (triggered["alert_id"], triggered["ticket_id"]) == (str(alert.id), str(ticket.id))
    assert triggered["asset_id"] == str(world.asset.id)
    assert triggered["client_id"] == str(world.client.id)


def test_t012_replay_is_a_no_op(session: Session, world: World) -> None:
    add_rule(session, world.tenant, world.integration.id)
    first = world.process(session, world.event())
    replay = world.process(session, world.event(message="changed"), ingest_source="poll")
    assert replay.outcome == "skipped"
    [alert] = alerts(session, world.tenant)
    assert (alert.ingest_source, alert.message) == ("webhook", "Disk C: is 95% full")
    assert (replay.alert_id, replay.ticket_id) == (first.alert_id, first.ticket_id)
    assert len(tickets(session, world.tenant)) == 1
    assert event_types(session, world.tenant) == ["RMM_ALERT_TRIGGERED", "TICKET_CREATED"]


def test_t013_repeats_join_the_open_ticket(session: Session, world: World) -> None:
    add_rule(session, world.tenant, world.integration.id)
    first = world.process(session, world.event(external_alert_id="A-1"))
    second = world.process(session, world.event(external_alert_id="A-2", message="still full"))
    later = NOW + timedelta(minutes=7)
    third = world.process(session, world.event(external_alert_id="A-3", occurred_at=later))

    assert (second.outcome, third.outcome) == ("occurrence_appended", "occurrence_appended")
    assert second.ticket_id == third.ticket_id == first.ticket_id
    a1, a2, a3 = alerts(session, world.tenant)
    assert (a1.occurrence_count, a2.occurrence_count, a3.occurrence_count) == (3, 1, 1)
    assert (a1.triggered_at, a1.last_occurrence_at) == (NOW, later)
    assert (a2.ticket_id, a2.auto_ticket_created) == (first.ticket_id, False)
    assert a2.decision["dedup"]["first_alert_id"] == str(a1.id)
    assert len(tickets(session, world.tenant)) == 1
    assert first.ticket_id is not None
    notes = [c.body for c in comments(session, world.tenant, first.ticket_id)][1:]
    assert notes == [
        "Alert re-triggered — 2nd occurrence.\nExternal alert ID: A-2\nstill full",
        "Alert re-triggered — 3rd occurrence.\nExternal alert ID: A-3\nDisk C: is 95% full",
    ]
    assert event_types(session, world.tenant).count("RMM_ALERT_TRIGGERED") == 3
    assert event_types(session, world.tenant).count("TICKET_CREATED") == 1


def test_t014_closed_ticket_or_other_device_gets_a_new_ticket(
    session: Session, world: World, tenant: TenantCtx
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    first = world.process(session, world.event(external_alert_id="A-1"))
    other_device = world.process(session, world.event(external_alert_id="B-1", device="dev-2"))
    assert other_device.outcome == "ticket_created"
    assert other_device.ticket_id != first.ticket_id
    assert first.ticket_id is not None
    close_ticket(session, world.tenant, first.ticket_id, Actor.user(tenant.admin.id), NOW)
    after_close = world.process(session, world.event(external_alert_id="A-2"))
    assert after_close.outcome == "ticket_created"
    assert after_close.ticket_id not in (first.ticket_id, other_device.ticket_id)
    assert len(tickets(session, world.tenant)) == 3


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        pytest.param(None, "no active rule matched", id="no-rule"),
        pytest.param(({"severities": ["critical"]}, {}), "no active rule matched", id="no-match"),
        pytest.param(({}, {"create_ticket": False}), "records alerts without", id="no-tickets"),
        pytest.param(({}, {"board": "x"}), "has invalid actions", id="invalid-actions"),
        pytest.param(({}, {}), None, id="inactive-rule"),
    ],
)
def test_t015_recorded_only(
    session: Session,
    world: World,
    rule: tuple[dict[str, Any], dict[str, Any]] | None,
    reason: str | None,
) -> None:
    if rule is not None:
        add_rule(
            session,
            world.tenant,
            world.integration.id,
            conditions=rule[0],
            actions=rule[1],
            is_active=reason is not None,
        )
    outcome = world.process(session, world.event())
    assert outcome.outcome == "recorded_only"
    [alert] = alerts(session, world.tenant)
    assert (alert.status, alert.ticket_id, alert.auto_ticket_created) == ("active", None, False)
    assert alert.decision["outcome"] == "recorded_only"
    assert (reason or "no active rule matched") in alert.decision["reason"]
    assert tickets(session, world.tenant) == []
    assert event_types(session, world.tenant) == ["RMM_ALERT_TRIGGERED"]


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("critical", "Critical"),
        ("major", "High"),
        ("moderate", "Medium"),
        ("minor", "Low"),
        ("none", "Low"),
    ],
)
def test_t016_priority_from_severity(
    session: Session, world: World, severity: Severity, expected: str
) -> None:
    missing = "00000000-0000-0000-0000-000000000001"  # an override that no longer exists
    add_rule(session, world.tenant, world.integration.id, actions={"priority_override": missing})
    outcome = world.process(session, world.event(severity=severity))
    [ticket] = tickets(session, world.tenant)
    assert outcome.outcome == "ticket_created"
    assert ticket.priority_id == priority_ids(session, world)[expected]


def test_t017_client_from_asset_then_mapping(session: Session, world: World) -> None:
    add_rule(session, world.tenant, world.integration.id)
    world.process(session, world.event(external_alert_id="A-1"))
    world.process(session, world.event(external_alert_id="B-1", device="unknown-dev"))
    from_asset, from_mapping = tickets(session, world.tenant)
    assert from_asset.client_id == world.client.id  # the asset wins over the org mapping
    assert from_mapping.client_id == world.mapped_client.id
    nowhere = world.process(session, world.event(external_alert_id="C-1", device="x", org="o-9"))
    assert nowhere.outcome == "recorded_only"
    assert any("no client" in w for w in nowhere.warnings)
    unmapped = alerts(session, world.tenant)[-1]
    assert (unmapped.client_id, unmapped.ticket_id) == (None, None)
    assert "no client" in unmapped.decision["reason"]
    add_mapping(session, world.tenant, world.integration.id, None, external_org_id="pending")
    pending = world.process(
        session, world.event(external_alert_id="D-1", device=None, org="pending")
    )
    assert pending.outcome == "recorded_only"  # mapped org, but no client chosen yet
    assert len(tickets(session, world.tenant)) == 2


def test_broken_regex_rule_is_skipped_for_the_next(session: Session, world: World) -> None:
    broken = {"message_pattern": "disk(("}  # stored before validation could refuse it
    add_rule(session, world.tenant, world.integration.id, name="broken", conditions=broken)
    good = add_rule(session, world.tenant, world.integration.id, name="good", order=1)
    outcome = world.process(session, world.event())
    assert (outcome.outcome, outcome.rule_id) == ("ticket_created", good.id)
    assert any("'broken' skipped" in w for w in outcome.warnings)
    [alert] = alerts(session, world.tenant)
    assert alert.matched_rule_id == good.id
    assert any("'broken' skipped" in w for w in alert.decision["warnings"])


def test_missing_board_falls_back_to_the_default(session: Session, world: World) -> None:
    board = add_board(session, world.tenant, "Gone")
    add_rule(session, world.tenant, world.integration.id, actions={"board_id": str(board.id)})
    session.execute(delete(Board).where(Board.tenant == world.tenant, Board.id == board.id))
    outcome = world.process(session, world.event())
    [ticket] = tickets(session, world.tenant)
    default = session.scalar(select(Board.id).where(Board.tenant == world.tenant, Board.is_default))
    assert (outcome.outcome, ticket.board_id) == ("ticket_created", default)


def test_resolved_alert_that_fires_again_gets_a_new_ticket(session: Session, world: World) -> None:
    add_rule(session, world.tenant, world.integration.id, actions={"auto_resolve_ticket": True})
    first = world.process(session, world.event())
    world.process(session, world.event(kind="reset"))
    again = world.process(session, world.event(message="full again"))
    assert again.outcome == "ticket_created"
    assert again.alert_id == first.alert_id
    assert again.ticket_id not in (None, first.ticket_id)
    [alert] = alerts(session, world.tenant)
    assert (alert.status, alert.ticket_id, alert.resolved_at) == ("active", again.ticket_id, None)
    assert (alert.message, alert.occurrence_count) == ("full again", 1)
    assert alert.auto_ticket_created
    old, new = tickets(session, world.tenant)
    assert (old.is_closed, new.is_closed) == (True, False)


def test_ticket_that_cannot_be_created_leaves_the_alert_recorded(
    session: Session, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    session.execute(
        delete(TicketStatus).where(TicketStatus.tenant == world.tenant, TicketStatus.is_default)
    )
    outcome = world.process(session, world.event())
    assert outcome.outcome == "recorded_only"
    assert any(w.startswith("ticket not created") for w in outcome.warnings)
    [alert] = alerts(session, world.tenant)
    assert alert.ticket_id is None
    assert alert.decision["reason"] == "No board with a default status is available."
    assert tickets(session, world.tenant) == []
    drawn = text(f"select is_called from {sequence_name(world.tenant)}")  # noqa: S608
    assert session.scalar(drawn) is False  # no number was used up


def test_repeats_count_on_the_creator_after_an_old_alert_fires_again(
    session: Session, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id, actions={"auto_resolve_ticket": True})
    world.process(session, world.event(external_alert_id="A-1"))
    world.process(session, world.event(kind="reset", external_alert_id="A-1"))  # closes T1
    creator = world.process(session, world.event(external_alert_id="A-2"))  # T2
    assert creator.outcome == "ticket_created"
    world.process(session, world.event(external_alert_id="A-1"))  # 2nd occurrence on T2
    world.process(session, world.event(external_alert_id="A-3"))  # 3rd occurrence on T2
    by_id = {a.external_alert_id: a for a in alerts(session, world.tenant)}
    assert by_id["A-2"].occurrence_count == 3
    assert creator.ticket_id is not None
    notes = [c.body.split("\n")[0] for c in comments(session, world.tenant, creator.ticket_id)]
    assert notes[1:] == [f"Alert re-triggered — {n} occurrence." for n in ("2nd", "3rd")]


def test_the_trace_names_the_place_of_the_matched_rule_among_the_active_ones(
    session: Session, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id, name="off", order=0, is_active=False)
    add_rule(session, world.tenant, world.integration.id, name="cpu", order=1,
             conditions={"keywords": ["cpu"]})  # fmt: skip
    disks = add_rule(session, world.tenant, world.integration.id, name="disks", order=5)
    world.process(session, world.event(), NOW)
    [alert] = alerts(session, world.tenant)
    assert alert.decision["rule"] == {"id": str(disks.id), "name": "disks", "position": 2}
