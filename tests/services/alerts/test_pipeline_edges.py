"""Edge cases the original got wrong: stale redeliveries, device-less dedup across clients,
acknowledgements surviving a re-trigger, and unreadable stored windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from alertdesk.services.tickets.reference import create_client
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    NOW,
    World,
    add_mapping,
    add_rule,
    add_window,
    alerts,
    build_world,
    tickets,
)


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    built = build_world(session, tenant.id, tenant.admin.id)
    add_rule(session, built.tenant, built.integration.id, actions={"auto_resolve_ticket": True})
    return built


def test_a_trigger_older_than_its_reset_is_a_stale_redelivery(
    session: Session, world: World
) -> None:
    world.process(session, world.event(occurred_at=NOW))
    world.process(session, world.event(kind="reset", occurred_at=NOW + timedelta(minutes=5)))
    late_copy = world.process(session, world.event(occurred_at=NOW))
    assert late_copy.outcome == "skipped"
    [alert] = alerts(session, world.tenant)
    assert alert.status == "auto_resolved"
    assert len(tickets(session, world.tenant)) == 1
    refire = world.process(session, world.event(occurred_at=NOW + timedelta(minutes=9)))
    assert refire.outcome == "ticket_created"


def test_device_less_alerts_of_different_orgs_do_not_share_a_ticket(
    session: Session, world: World
) -> None:
    other = create_client(session, world.tenant, "Other Org Client")
    add_mapping(session, world.tenant, world.integration.id, other.id, external_org_id="org-2")
    first = world.process(session, world.event(external_alert_id="X-1", device=None))
    second = world.process(session, world.event(external_alert_id="X-2", device=None, org="org-2"))
    same_org = world.process(session, world.event(external_alert_id="X-3", device=None))
    assert (first.outcome, second.outcome) == ("ticket_created", "ticket_created")
    assert first.ticket_id != second.ticket_id
    assert (same_org.outcome, same_org.ticket_id) == ("occurrence_appended", first.ticket_id)


def test_a_retriggered_alert_forgets_its_old_acknowledgement(
    session: Session, world: World
) -> None:
    world.process(session, world.event())
    world.process(session, world.event(kind="acknowledged"))
    world.process(session, world.event(kind="reset", occurred_at=NOW + timedelta(minutes=1)))
    world.process(session, world.event(occurred_at=NOW + timedelta(minutes=2)))
    [alert] = alerts(session, world.tenant)
    assert (alert.status, alert.acknowledged_at) == ("active", None)


def test_an_unreadable_stored_window_is_ignored_not_fatal(session: Session, world: World) -> None:
    add_window(session, world.tenant, recurrence={"type": "weekly", "days": [1]})  # no times
    outcome = world.process(session, world.event())
    assert outcome.outcome == "ticket_created"


def test_webhook_then_poller_gives_one_alert_and_one_ticket(session: Session, world: World) -> None:
    """T025: the poller computes the same alert id and dedup key, so it never duplicates."""
    first = world.process(session, world.event(), ingest_source="webhook")
    polled = world.process(session, world.event(), ingest_source="reconciliation")
    assert (first.outcome, polled.outcome) == ("ticket_created", "skipped")
    assert len(alerts(session, world.tenant)) == 1
    assert len(tickets(session, world.tenant)) == 1
    assert alerts(session, world.tenant)[0].ingest_source == "webhook"


def test_a_resolved_alert_firing_again_joins_its_still_open_ticket(
    session: Session, tenant: TenantCtx
) -> None:
    world = build_world(session, tenant.id, tenant.admin.id)
    add_rule(session, world.tenant, world.integration.id)  # no auto-resolve: the ticket stays
    first = world.process(session, world.event(occurred_at=NOW))
    world.process(session, world.event(kind="reset", occurred_at=NOW + timedelta(minutes=1)))
    again = world.process(session, world.event(occurred_at=NOW + timedelta(minutes=2)))
    assert (again.outcome, again.ticket_id) == ("occurrence_appended", first.ticket_id)
    assert len(tickets(session, world.tenant)) == 1
    [alert] = alerts(session, world.tenant)
    assert (alert.status, alert.occurrence_count, alert.ticket_id) == ("active", 2, first.ticket_id)
    assert alert.decision["rule"]["name"] == "catch-all"  # the first decision is kept
