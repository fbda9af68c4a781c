"""T021, T022: a person closes a ticket → its still-active alerts are reset at the vendor."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from alertdesk.core.actors import Actor
from alertdesk.providers.base import AlertRef, OutboundAdapter, OutboundError
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.services.alerts.service import ManualTicket, create_ticket_for_alert
from alertdesk.services.integrations.outbound import (
    ResetResult,
    on_ticket_closed,
    reset_alerts_for_ticket,
)
from alertdesk.services.tickets.work import close_ticket
from alertdesk.storage.database import Database
from alertdesk.storage.models import Alert, Event, Ticket
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    CONDITION,
    DEVICE,
    NOW,
    PROVIDER,
    World,
    add_rule,
    build_world,
)

CLOSED_AT = NOW + timedelta(days=1)
KEEP = {"reset_alert_on_ticket_close": False}


class RecordingAdapter:
    """Stands in for a vendor API: records each reset, or refuses it with OutboundError."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.calls: list[AlertRef] = []
        self.fail_with = fail_with

    def reset_alert(self, alert: AlertRef) -> None:
        self.calls.append(alert)
        if self.fail_with is not None:
            raise OutboundError(self.fail_with)


@pytest.fixture
def database(engine: Engine, connection: Connection) -> Database:
    """The transactions of the code under test, nested in the test's rolled-back one."""
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return Database(engine, sessions)


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


def trigger(session: Session, world: World, alert_id: str, **event: Any) -> Alert:
    outcome = world.process(session, world.event(external_alert_id=alert_id, **event))
    assert outcome.alert_id is not None, outcome
    return session.get_one(Alert, (world.tenant, outcome.alert_id))


def reset(
    session: Session,
    database: Database,
    world: World,
    ticket_id: uuid.UUID,
    adapters: dict[str, OutboundAdapter],
    now: datetime = CLOSED_AT,
) -> list[ResetResult]:
    """Run the outbound reset (its own transactions) on what the test session wrote so far."""
    session.flush()
    results = reset_alerts_for_ticket(database, world.tenant, ticket_id, adapters, now)
    session.expire_all()
    return results


def close_and_reset(
    session: Session,
    database: Database,
    world: World,
    ticket_id: uuid.UUID | None,
    adapter: OutboundAdapter,
) -> list[ResetResult]:
    """Close the ticket as its admin, then run the outbound reset for it."""
    assert ticket_id is not None
    close_ticket(session, world.tenant, ticket_id, Actor.user(world.admin_id), CLOSED_AT)
    return reset(session, database, world, ticket_id, {PROVIDER: adapter})


def reloaded(session: Session, alert: Alert) -> Alert:
    return session.get_one(Alert, (alert.tenant, alert.id))


def outbound(alert: Alert) -> tuple[str | None, str | None, datetime | None]:
    return alert.outbound_status, alert.outbound_error, alert.outbound_at


def ref(
    alert_id: str, uid: str | None = None, url: str | None = None, condition: str = CONDITION
) -> AlertRef:
    return AlertRef(PROVIDER, url, alert_id, uid, DEVICE, condition)


def test_close_resets_active_alerts_including_absorbed_duplicates(
    session: Session, database: Database, world: World
) -> None:
    world.integration.instance_url = "https://eu.ninjarmm.com"
    add_rule(session, world.tenant, world.integration.id)
    first = trigger(session, world, "A-1")
    first.external_alert_uid = "uid-1"
    duplicate = trigger(session, world, "A-2")
    world.process(session, world.event(kind="acknowledged", external_alert_id="A-2"))
    elsewhere = trigger(session, world, "A-3", condition="CPU")
    assert duplicate.ticket_id == first.ticket_id != elsewhere.ticket_id
    assert reloaded(session, duplicate).status == "acknowledged"
    adapter = RecordingAdapter()

    results = close_and_reset(session, database, world, first.ticket_id, adapter)

    url = "https://eu.ninjarmm.com"
    assert adapter.calls == [ref("A-1", "uid-1", url), ref("A-2", None, url)]
    assert results == [ResetResult(first.id, "reset"), ResetResult(duplicate.id, "reset")]
    for alert in (first, duplicate):
        row = reloaded(session, alert)
        assert (row.status, row.resolved_at, row.updated_at) == ("resolved", CLOSED_AT, CLOSED_AT)
        assert outbound(row) == ("done", None, CLOSED_AT)
        assert row.decision["outcome"] in ("ticket_created", "occurrence_appended")
    assert reloaded(session, elsewhere).status == "active"
    assert first.ticket_id is not None
    assert reset(session, database, world, first.ticket_id, {}) == []


def test_opted_out_rule_is_left_alone(session: Session, database: Database, world: World) -> None:
    keywords: dict[str, Any] = {"keywords": ["keep"]}
    add_rule(session, world.tenant, world.integration.id, conditions=keywords, actions=KEEP)
    add_rule(session, world.tenant, world.integration.id, order=1)
    kept = trigger(session, world, "A-1", message="keep me open")
    joined = trigger(session, world, "A-2", message="disk full")  # catch-all, same ticket
    adapter = RecordingAdapter()

    results = close_and_reset(session, database, world, kept.ticket_id, adapter)

    assert results == [ResetResult(kept.id, "opted_out"), ResetResult(joined.id, "reset")]
    assert adapter.calls == [ref("A-2")]
    row = reloaded(session, kept)
    assert (row.status, row.resolved_at) == ("active", None)
    assert outbound(row) == ("opted_out", None, CLOSED_AT)
    assert reloaded(session, joined).status == "resolved"


def test_already_resolved_alerts_are_not_reset(
    session: Session, database: Database, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    first = trigger(session, world, "A-1")
    gone = trigger(session, world, "A-2")
    world.process(session, world.event(kind="reset", external_alert_id="A-2"), NOW)
    adapter = RecordingAdapter()

    results = close_and_reset(session, database, world, first.ticket_id, adapter)

    assert results == [ResetResult(first.id, "reset")]
    assert adapter.calls == [ref("A-1")]
    row = reloaded(session, gone)
    assert (row.status, row.resolved_at) == ("resolved", NOW)
    assert outbound(row) == (None, None, None)


@pytest.mark.parametrize("link", ["manual link, no rule", "deleted rule", "unreadable actions"])
def test_without_a_usable_rule_the_default_is_to_reset(
    session: Session, database: Database, world: World, link: str
) -> None:
    if link == "manual link, no rule":
        alert = trigger(session, world, "A-1")
        assert (alert.matched_rule_id, alert.ticket_id) == (None, None)
        ticket = create_ticket_for_alert(session, world.tenant, alert.id, ManualTicket(),
                                         Actor.user(world.admin_id), NOW)  # fmt: skip
        assert alert.ticket_id == ticket.id
    else:
        rule = add_rule(session, world.tenant, world.integration.id, actions=KEEP)
        alert = trigger(session, world, "A-1")
        assert (alert.matched_rule_id, alert.ticket_id is not None) == (rule.id, True)
        if link == "deleted rule":
            session.delete(rule)
        else:
            rule.actions = {"reset_alert_on_ticket_close": "never"}
        session.flush()
    adapter = RecordingAdapter()

    assert close_and_reset(session, database, world, alert.ticket_id, adapter) == [
        ResetResult(alert.id, "reset")
    ]
    assert adapter.calls == [ref("A-1")]
    assert reloaded(session, alert).status == "resolved"


def test_adapter_failure_is_stamped_and_the_close_stands(
    session: Session, database: Database, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    alert = trigger(session, world, "A-1")
    failing = RecordingAdapter(fail_with="NinjaOne answered 503")

    results = close_and_reset(session, database, world, alert.ticket_id, failing)

    assert results == [ResetResult(alert.id, "failed", "NinjaOne answered 503")]
    assert failing.calls == [ref("A-1")]
    row = reloaded(session, alert)
    assert (row.status, row.resolved_at, row.ticket_id) == ("active", None, alert.ticket_id)
    assert outbound(row) == ("failed", "NinjaOne answered 503", CLOSED_AT)
    assert row.decision["outcome"] == "ticket_created"
    assert session.get_one(Ticket, (world.tenant, alert.ticket_id)).is_closed

    assert row.ticket_id is not None
    retry_at = CLOSED_AT + timedelta(minutes=5)
    retried = reset(
        session, database, world, row.ticket_id, {PROVIDER: RecordingAdapter()}, retry_at
    )
    assert retried == [ResetResult(alert.id, "reset")]
    row = reloaded(session, alert)
    assert (row.status, outbound(row)) == ("resolved", ("done", None, retry_at))


def test_a_disconnected_integration_fails_the_reset_for_a_retry(
    session: Session, database: Database, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    alert = trigger(session, world, "A-1")
    assert alert.ticket_id is not None
    close_ticket(session, world.tenant, alert.ticket_id, Actor.user(world.admin_id), CLOSED_AT)
    other = RecordingAdapter()

    results = reset(session, database, world, alert.ticket_id, {"tacticalrmm": other})

    error = "the integration is not connected"
    assert results == [ResetResult(alert.id, "failed", error)]
    assert other.calls == []
    row = reloaded(session, alert)
    assert (row.status, outbound(row)) == ("active", ("failed", error, CLOSED_AT))


def test_a_provider_that_cannot_reset_is_marked_not_supported(
    session: Session, database: Database, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    alert = trigger(session, world, "A-1")
    world.integration.provider = "huntress"  # a security feed: nothing to reset there
    adapter = RecordingAdapter()

    results = close_and_reset(session, database, world, alert.ticket_id, adapter)

    assert (results, adapter.calls) == ([ResetResult(alert.id, "no_adapter")], [])
    row = reloaded(session, alert)
    assert (row.status, outbound(row)) == ("active", ("not_supported", None, CLOSED_AT))


def test_another_tenants_ticket_is_not_touched(
    session: Session, database: Database, world: World, make_tenant: Callable[..., TenantCtx]
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    alert = trigger(session, world, "A-1")
    assert alert.ticket_id is not None
    adapter = RecordingAdapter()
    stranger = make_tenant()
    session.flush()
    assert (
        reset_alerts_for_ticket(database, stranger.id, alert.ticket_id, {PROVIDER: adapter}, NOW)
        == []
    )
    assert (adapter.calls, reloaded(session, alert).status) == ([], "active")


class WebhookMeanwhile:
    """The vendor resets the alert, and its reset webhook is processed (and committed) while
    our reset call is still in flight."""

    def __init__(self, database: Database, world: World, resolved_at: datetime) -> None:
        self.database, self.world, self.resolved_at = database, world, resolved_at

    def reset_alert(self, alert: AlertRef) -> None:
        event = self.world.event(
            kind="reset", external_alert_id=alert.external_alert_id, occurred_at=self.resolved_at
        )
        with self.database.transaction() as session:
            assert process_alert_event(session, event, self.resolved_at).outcome == "resolved"


def test_a_concurrent_webhook_update_is_kept_not_overwritten(
    session: Session, database: Database, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id, actions={"auto_resolve_ticket": True})
    alert = trigger(session, world, "A-1")
    resolved_at = CLOSED_AT - timedelta(seconds=5)
    adapter = WebhookMeanwhile(database, world, resolved_at)

    close_and_reset(session, database, world, alert.ticket_id, adapter)

    row = reloaded(session, alert)
    assert (row.status, row.resolved_at) == ("resolved", resolved_at)  # the webhook's
    assert "resolution" in row.decision  # written by the webhook's reset, still there
    assert outbound(row) == ("done", None, CLOSED_AT)


def test_an_alert_resolved_before_the_job_runs_is_not_reset_and_not_left_pending(
    session: Session, database: Database, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    alert = trigger(session, world, "A-1")
    assert alert.ticket_id is not None
    close_ticket(session, world.tenant, alert.ticket_id, Actor.user(world.admin_id), CLOSED_AT)
    closed = session.scalars(select(Event).where(Event.type == "TICKET_CLOSED")).one()
    on_ticket_closed(session, closed, CLOSED_AT)
    assert reloaded(session, alert).outbound_status == "pending"
    world.process(session, world.event(kind="reset", external_alert_id="A-1"), CLOSED_AT)
    adapter = RecordingAdapter()  # the vendor's own reset came first

    assert reset(session, database, world, alert.ticket_id, {PROVIDER: adapter}) == []
    assert adapter.calls == []
    assert outbound(reloaded(session, alert)) == (None, None, None)
