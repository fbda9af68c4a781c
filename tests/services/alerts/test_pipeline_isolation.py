"""Another tenant's rules, windows, mappings, assets and tickets never shape this tenant's alerts.

The mirror tenant reuses this tenant's integration id (keys are (tenant, id)), its device id and
its org id, so only the tenant filter of each query keeps them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from alertdesk.services.tickets.reference import ExternalRef, create_asset, create_client
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    NOW,
    World,
    add_integration,
    add_mapping,
    add_rule,
    add_window,
    alerts,
    build_world,
    events,
    tickets,
)


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


@pytest.fixture
def mirror(session: Session, world: World, make_tenant: Callable[..., TenantCtx]) -> World:
    other = make_tenant()
    built = build_world(session, other.id, other.admin.id, integration_id=world.integration.id)
    assert built.integration.id == world.integration.id
    add_rule(session, other.id, built.integration.id, name="mirror catch-all")
    return built


def test_another_tenants_rule_is_never_evaluated(
    session: Session, world: World, mirror: World
) -> None:
    outcome = world.process(session, world.event())
    assert (outcome.outcome, outcome.rule_id) == ("recorded_only", None)
    assert tickets(session, world.tenant) == tickets(session, mirror.tenant) == []


def test_a_rule_of_another_integration_is_never_evaluated(session: Session, world: World) -> None:
    tactical = add_integration(session, world.tenant, provider="tacticalrmm")
    add_rule(session, world.tenant, tactical.id, name="tactical catch-all")
    outcome = world.process(session, world.event())
    assert (outcome.outcome, outcome.rule_id) == ("recorded_only", None)
    assert tickets(session, world.tenant) == []


def test_another_tenants_window_never_suppresses(
    session: Session, world: World, mirror: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    around: dict[str, Any] = {
        "starts_at": NOW - timedelta(hours=1),
        "ends_at": NOW + timedelta(hours=1),
    }
    add_window(session, mirror.tenant, name="mirror: everything", **around)
    add_window(
        session,
        mirror.tenant,
        name="mirror: integration",
        integration_id=mirror.integration.id,
        **around,
    )
    outcome = world.process(session, world.event())
    assert (outcome.outcome, outcome.window_id) == ("ticket_created", None)
    [alert] = alerts(session, world.tenant)
    assert (alert.status, alert.suppressed_by_window_id) == ("active", None)


def test_another_tenants_mapping_and_asset_are_never_used(
    session: Session, world: World, mirror: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    client = create_client(session, mirror.tenant, "Mirror Only")
    create_asset(
        session,
        mirror.tenant,
        client_id=client.id,
        name="theirs",
        serial_number=None,
        external_refs=[ExternalRef("ninjaone", "their-dev")],
    )
    add_mapping(session, mirror.tenant, mirror.integration.id, client.id, "their-org", "Theirs")
    outcome = world.process(session, world.event(device="their-dev", org="their-org"))
    assert outcome.outcome == "recorded_only"
    [alert] = alerts(session, world.tenant)
    assert (alert.asset_id, alert.client_id, alert.ticket_id) == (None, None, None)


def test_shared_device_and_org_ids_resolve_inside_each_tenant(
    session: Session, world: World, mirror: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    world.process(session, world.event(external_alert_id="A-1"))
    world.process(session, world.event(external_alert_id="B-1", device="mapped-only"))
    by_asset, by_mapping = alerts(session, world.tenant)
    assert (by_asset.asset_id, by_asset.client_id) == (world.asset.id, world.client.id)
    assert (by_mapping.asset_id, by_mapping.client_id) == (None, world.mapped_client.id)
    owners = {t.client_id for t in tickets(session, world.tenant)}
    assert owners == {world.client.id, world.mapped_client.id}


def test_dedup_never_joins_another_tenants_ticket(
    session: Session, world: World, mirror: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    theirs = mirror.process(session, mirror.event(external_alert_id="A-1"))
    assert theirs.outcome == "ticket_created"
    same_id = world.process(session, world.event(external_alert_id="A-1"))
    repeat = world.process(session, world.event(external_alert_id="A-2"))
    assert same_id.outcome == "ticket_created"  # not a replay of their alert
    assert same_id.ticket_id != theirs.ticket_id
    assert (repeat.outcome, repeat.ticket_id) == ("occurrence_appended", same_id.ticket_id)
    [their_alert] = alerts(session, mirror.tenant)
    assert (their_alert.occurrence_count, their_alert.ticket_id) == (1, theirs.ticket_id)
    assert len(tickets(session, mirror.tenant)) == 1
    assert sorted(e.type for e in events(session, mirror.tenant)) == [
        "RMM_ALERT_TRIGGERED",
        "TICKET_CREATED",
    ]
