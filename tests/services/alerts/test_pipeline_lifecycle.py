"""T018-T020, T023: resets close only untouched tickets, acknowledgements, maintenance windows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM, Actor
from alertdesk.services.alerts.lifecycle import CLOSED_NOTE
from alertdesk.services.tickets import work
from alertdesk.storage.models import Ticket, TicketStatus
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    NOW,
    World,
    add_rule,
    add_window,
    alerts,
    build_world,
    comments,
    event_types,
    events,
    tickets,
)

RESOLVED_NOTE = "Alert resolved in NinjaOne.\nExternal alert ID: A-1"
AUTO: dict[str, Any] = {"auto_resolve_ticket": True}
AT = NOW + timedelta(seconds=90)  # people work between the trigger (+1 min) and the reset (+2)


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


def alert_ticket(session: Session, world: World, actions: dict[str, Any] = AUTO) -> Ticket:
    add_rule(session, world.tenant, world.integration.id, actions=actions)
    outcome = world.process(session, world.event())
    assert outcome.outcome == "ticket_created"
    [ticket] = tickets(session, world.tenant)
    return ticket


def bodies(session: Session, world: World, ticket: Ticket) -> list[str]:
    return [c.body for c in comments(session, world.tenant, ticket.id)][1:]  # after the first


def test_t018_reset_closes_an_untouched_ticket_as_the_system(
    session: Session, world: World
) -> None:
    ticket = alert_ticket(session, world)
    resolved_at = NOW + timedelta(minutes=30)
    outcome = world.process(session, world.event(kind="reset", occurred_at=resolved_at))
    assert outcome.outcome == "resolved"
    [alert] = alerts(session, world.tenant)
    assert (alert.status, alert.resolved_at) == ("auto_resolved", resolved_at)
    assert alert.decision["resolution"] == "ticket closed automatically"
    assert ticket.is_closed
    assert (ticket.closed_by_kind, ticket.closed_by_user_id) == ("system", None)
    assert ticket.status_id == status(session, world, "Closed")
    assert bodies(session, world, ticket) == [RESOLVED_NOTE, CLOSED_NOTE]
    assert all(c.is_system for c in comments(session, world.tenant, ticket.id))
    expected = ["RMM_ALERT_RESOLVED", "RMM_ALERT_TRIGGERED", "TICKET_CLOSED", "TICKET_CREATED"]
    assert event_types(session, world.tenant) == expected
    by_type = {e.type: e.payload for e in events(session, world.tenant)}
    assert by_type["TICKET_CLOSED"] == {"ticket_id": str(ticket.id), "actor_kind": "system"}
    assert by_type["RMM_ALERT_RESOLVED"]["alert_id"] == str(alert.id)


def test_t018_auto_resolve_status_is_honoured(session: Session, world: World) -> None:
    chosen = uuid.uuid4()
    ticket = alert_ticket(session, world, AUTO | {"auto_resolve_status_id": str(chosen)})
    session.add(TicketStatus(tenant=world.tenant, id=chosen, board_id=ticket.board_id,
                             name="Resolved", is_closed=True, position=9))  # fmt: skip
    outcome = world.process(session, world.event(kind="reset"))
    assert (ticket.is_closed, ticket.status_id, outcome.warnings) == (True, chosen, ())


def test_t018_unusable_auto_resolve_status_falls_back(session: Session, world: World) -> None:
    in_progress = status(session, world, "In Progress")  # open: not a status to close with
    ticket = alert_ticket(session, world, AUTO | {"auto_resolve_status_id": str(in_progress)})
    outcome = world.process(session, world.event(kind="reset"))
    assert (ticket.is_closed, ticket.status_id) == (True, status(session, world, "Closed"))
    assert any("auto-resolve status" in w for w in outcome.warnings)


def test_t018_board_without_closed_status_warns(session: Session, world: World) -> None:
    ticket = alert_ticket(session, world)
    session.execute(delete(TicketStatus).where(TicketStatus.id == status(session, world, "Closed")))
    outcome = world.process(session, world.event(kind="reset"))
    assert (outcome.outcome, ticket.is_closed) == ("resolved", False)
    assert any("no closed status" in w for w in outcome.warnings)
    assert alerts(session, world.tenant)[0].status == "resolved"
    assert "TICKET_CLOSED" not in event_types(session, world.tenant)


def touch_comment(session: Session, w: World, t: Ticket) -> None:
    work.add_comment(
        session, w.tenant, t.id, "on it", is_internal=True, actor=Actor.user(w.admin_id), now=AT
    )


def touch_time(session: Session, w: World, t: Ticket) -> None:
    work.add_time_entry(session, w.tenant, t.id, w.admin_id, 15, "looked", AT)


def status(session: Session, w: World, name: str) -> uuid.UUID:
    found = session.scalar(
        select(TicketStatus.id).where(TicketStatus.tenant == w.tenant, TicketStatus.name == name)
    )
    assert found is not None
    return found


def touch_status(session: Session, w: World, t: Ticket) -> None:
    person = Actor.user(w.admin_id)
    for name in ("In Progress", "New"):  # back in the default status still counts as worked on
        changes = work.TicketChanges(status_id=status(session, w, name))
        work.update_ticket(session, w.tenant, t.id, changes, person, AT)


def assign(session: Session, w: World, t: Ticket) -> None:
    changes = work.TicketChanges(assigned_to=w.admin_id)
    work.update_ticket(session, w.tenant, t.id, changes, Actor.user(w.admin_id), AT)


def system_comment(session: Session, w: World, t: Ticket) -> None:
    work.add_comment(session, w.tenant, t.id, "bot", is_internal=True, actor=SYSTEM, now=AT)


Touch = Callable[[Session, World, Ticket], None]


@pytest.mark.parametrize(
    ("touch", "closes"),
    [
        (touch_comment, False),
        (touch_time, False),
        (touch_status, False),
        (assign, True),
        (system_comment, True),
    ],
    ids=["human-comment", "time-entry", "status-change", "assignment-only", "system-comment"],
)
def test_t019_touched_tickets_only_get_the_note(
    session: Session, world: World, touch: Touch, closes: bool
) -> None:
    ticket = alert_ticket(session, world)
    touch(session, world, ticket)
    world.process(session, world.event(kind="reset"))
    [alert] = alerts(session, world.tenant)
    assert ticket.is_closed is closes
    assert alert.status == ("auto_resolved" if closes else "resolved")
    notes = [b for b in bodies(session, world, ticket) if b.startswith(("Alert", "Ticket"))]
    assert notes == ([RESOLVED_NOTE, CLOSED_NOTE] if closes else [RESOLVED_NOTE])
    assert ("TICKET_CLOSED" in event_types(session, world.tenant)) is closes


def test_t019_without_auto_resolve_nothing_is_written(session: Session, world: World) -> None:
    ticket = alert_ticket(session, world, {"auto_resolve_ticket": False})
    outcome = world.process(session, world.event(kind="reset"))
    assert outcome.outcome == "resolved"
    assert alerts(session, world.tenant)[0].status == "resolved"
    assert (ticket.is_closed, bodies(session, world, ticket)) == (False, [])
    expected = ["RMM_ALERT_RESOLVED", "RMM_ALERT_TRIGGERED", "TICKET_CREATED"]
    assert event_types(session, world.tenant) == expected


def test_ticket_with_another_active_alert_stays_open(session: Session, world: World) -> None:
    ticket = alert_ticket(session, world)
    world.process(session, world.event(external_alert_id="A-2"))
    world.process(session, world.event(kind="reset"))
    first, second = alerts(session, world.tenant)
    assert (first.status, second.status, ticket.is_closed) == ("resolved", "active", False)
    assert "other alerts" in first.decision["resolution"]
    world.process(session, world.event(kind="reset", external_alert_id="A-2"))
    assert ticket.is_closed  # the last active alert on it resolved
    assert alerts(session, world.tenant)[1].status == "auto_resolved"


def test_a_second_reset_of_a_resolved_alert_is_skipped(session: Session, world: World) -> None:
    alert_ticket(session, world)
    world.process(session, world.event(kind="reset"))
    before = event_types(session, world.tenant)
    again = world.process(session, world.event(kind="reset"))
    assert (again.outcome, again.alert_id) == ("skipped", alerts(session, world.tenant)[0].id)
    assert event_types(session, world.tenant) == before


def test_a_reset_before_its_trigger_is_remembered_and_the_older_trigger_opens_nothing(
    session: Session, world: World
) -> None:
    """Webhooks arrive out of order: the early reset wins over a trigger older than it."""
    add_rule(session, world.tenant, world.integration.id)
    reset_at = NOW + timedelta(minutes=5)
    early = world.process(session, world.event(kind="reset", occurred_at=reset_at, message=None))
    [alert] = alerts(session, world.tenant)
    assert (early.outcome, early.alert_id, alert.status) == ("resolved", alert.id, "resolved")
    assert alert.decision["reason"] == "the reset arrived before its trigger"
    assert event_types(session, world.tenant) == []  # nothing ever fired: no event

    late = world.process(session, world.event(occurred_at=NOW))  # the trigger, delivered late
    [alert] = alerts(session, world.tenant)
    assert (late.outcome, late.alert_id, late.ticket_id) == ("recorded_only", alert.id, None)
    assert (alert.status, alert.resolved_at, alert.ticket_id) == ("resolved", reset_at, None)
    assert (alert.triggered_at, alert.message) == (NOW, world.event().message)
    assert "reset arrived before this trigger" in alert.decision["reason"]
    assert tickets(session, world.tenant) == []
    assert world.process(session, world.event(occurred_at=NOW)).outcome == "skipped"  # a copy

    refire = world.process(session, world.event(occurred_at=reset_at + timedelta(minutes=1)))
    assert refire.outcome == "ticket_created"  # newer than the reset: it really fired again


def test_t020_acknowledged(session: Session, world: World) -> None:
    alert_ticket(session, world)
    acked_at = NOW + timedelta(minutes=5)
    outcome = world.process(session, world.event(kind="acknowledged", occurred_at=acked_at))
    [alert] = alerts(session, world.tenant)
    assert (outcome.outcome, outcome.alert_id) == ("acknowledged", alert.id)
    assert (alert.status, alert.acknowledged_at) == ("acknowledged", acked_at)
    assert world.process(session, world.event(kind="acknowledged")).outcome == "skipped"
    assert event_types(session, world.tenant) == ["RMM_ALERT_TRIGGERED", "TICKET_CREATED"]
    assert world.process(session, world.event(kind="reset")).outcome == "resolved"
    assert world.process(session, world.event(kind="acknowledged")).outcome == "skipped"
    assert alerts(session, world.tenant)[0].status == "auto_resolved"
    unknown = world.process(session, world.event(kind="acknowledged", external_alert_id="x"))
    assert unknown.outcome == "skipped"


# NOW is Monday 05:00 in New York (and 10:00 in UTC)
WEEKLY = {
    "type": "weekly",
    "days": [1],
    "start_time": "04:00",
    "end_time": "06:00",
    "timezone": "America/New_York",
}
HOUR = timedelta(hours=1)
ONE_OFF: dict[str, Any] = {"starts_at": NOW - HOUR, "ends_at": NOW + HOUR}


def scope(world: World, name: str) -> dict[str, Any]:
    return {
        "client": {"client_id": world.client.id},
        "asset": {"asset_id": world.asset.id},
        "integration": {"integration_id": world.integration.id},
        "other-client": {"client_id": world.mapped_client.id},
    }[name]


@pytest.mark.parametrize("timing", ["one-off", "weekly"])
@pytest.mark.parametrize("scoped", ["client", "asset", "integration", "other-client"])
def test_t023_window_suppresses(session: Session, world: World, timing: str, scoped: str) -> None:
    add_rule(session, world.tenant, world.integration.id)
    when: dict[str, Any] = ONE_OFF if timing == "one-off" else {"recurrence": WEEKLY}
    window = add_window(session, world.tenant, **when, **scope(world, scoped))
    outcome = world.process(session, world.event(), NOW + timedelta(days=3))
    [alert] = alerts(session, world.tenant)
    if scoped == "other-client":
        assert outcome.outcome == "ticket_created"
        return
    assert (outcome.outcome, outcome.window_id) == ("suppressed", window.id)
    assert (alert.status, alert.suppressed_by_window_id) == ("suppressed", window.id)
    assert alert.ticket_id is None
    assert alert.decision["window"] == {"id": str(window.id), "name": "patching"}
    assert (tickets(session, world.tenant), events(session, world.tenant)) == ([], [])


def test_t023_window_outside_its_time_does_not_suppress(session: Session, world: World) -> None:
    add_rule(session, world.tenant, world.integration.id)
    add_window(session, world.tenant, starts_at=NOW - timedelta(hours=2), ends_at=NOW)
    add_window(session, world.tenant, recurrence=WEEKLY | {"timezone": "UTC"})
    add_window(session, world.tenant, is_active=False, **ONE_OFF)
    assert world.process(session, world.event()).outcome == "ticket_created"


def test_t023_suppressed_reset_resolves_quietly(session: Session, world: World) -> None:
    add_rule(session, world.tenant, world.integration.id, actions=AUTO)
    add_window(session, world.tenant, **ONE_OFF)
    world.process(session, world.event())
    assert world.process(session, world.event()).outcome == "skipped"  # redelivery
    outcome = world.process(session, world.event(kind="reset"))
    [alert] = alerts(session, world.tenant)
    assert (outcome.outcome, alert.status, alert.ticket_id) == ("resolved", "resolved", None)
    assert (tickets(session, world.tenant), events(session, world.tenant)) == ([], [])


def test_t023_reprocess_after_the_window_creates_the_ticket(session: Session, world: World) -> None:
    add_rule(session, world.tenant, world.integration.id)
    window = add_window(session, world.tenant, **ONE_OFF)
    world.process(session, world.event(), NOW)
    during = world.process(
        session, world.event(), NOW + timedelta(minutes=30), reprocess_suppressed=True
    )
    assert (during.outcome, during.window_id) == ("suppressed", window.id)
    after = world.process(
        session, world.event(), NOW + timedelta(hours=1), reprocess_suppressed=True
    )
    assert after.outcome == "ticket_created"
    [alert] = alerts(session, world.tenant)
    assert (alert.status, alert.suppressed_by_window_id) == ("active", None)
    assert (alert.ticket_id, alert.auto_ticket_created) == (after.ticket_id, True)
    assert event_types(session, world.tenant) == ["RMM_ALERT_TRIGGERED", "TICKET_CREATED"]


def test_a_refire_onto_its_open_ticket_inside_a_window_is_suppressed_until_it_ends(
    session: Session, world: World
) -> None:
    ticket = alert_ticket(session, world, {"auto_resolve_ticket": False})
    world.process(session, world.event(kind="reset"))  # resolved; the ticket stays open
    window = add_window(session, world.tenant, starts_at=NOW + 2 * HOUR, ends_at=NOW + 3 * HOUR)
    during = NOW + 2 * HOUR + timedelta(minutes=30)
    refire = world.process(session, world.event(occurred_at=during), during)
    [alert] = alerts(session, world.tenant)
    assert (refire.outcome, refire.window_id) == ("suppressed", window.id)
    assert (alert.status, alert.ticket_id, alert.occurrence_count) == ("suppressed", ticket.id, 1)
    notes = bodies(session, world, ticket)
    assert not any("occurrence" in n for n in notes)

    after = NOW + 4 * HOUR  # still firing when the window has ended (the poller re-runs it)
    rerun = world.process(
        session, world.event(occurred_at=during), after, reprocess_suppressed=True
    )
    assert (rerun.outcome, rerun.ticket_id) == ("occurrence_appended", ticket.id)
    assert (alert.status, alert.suppressed_by_window_id, alert.occurrence_count) == (
        "active", None, 2,
    )  # fmt: skip
