"""Concurrent deliveries of one condition end in one ticket: the dedup key lock serializes them."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.types import ordinal
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Alert, Ticket, TicketComment
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import NOW, add_rule, alerts, build_world, make_event

WRITERS = 24


@dataclass(frozen=True)
class Setup:
    tenant: uuid.UUID
    integration: uuid.UUID


@pytest.fixture
def committed_db(make_database: Callable[[], str]) -> Iterator[Database]:
    """A database of its own: these transactions really commit, concurrently."""
    database = Database.from_url(make_database(), pool_size=WRITERS, max_overflow=0)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def setup(committed_db: Database) -> Setup:
    with committed_db.transaction() as session:
        tenant, admin = create_tenant(session, "Race MSP", "race@example.com", "long-password")
        world = build_world(session, tenant.tenant, admin.id)
        add_rule(session, tenant.tenant, world.integration.id)
        return Setup(tenant.tenant, world.integration.id)


def fire_at_once(database: Database, setup: Setup, external_ids: list[str]) -> None:
    """Each delivery in its own committed transaction, all released by one barrier."""
    barrier = threading.Barrier(len(external_ids))
    errors: list[BaseException] = []

    def deliver(external_id: str) -> None:
        try:
            with database.transaction() as session:
                session.connection()  # hold a pooled connection before the race starts
                barrier.wait(timeout=30)
                event = make_event(setup.tenant, setup.integration, external_alert_id=external_id)
                process_alert_event(session, event, datetime.now(UTC))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(x,)) for x in external_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []


def stored(database: Database, setup: Setup) -> tuple[list[Alert], list[Ticket], list[str]]:
    with database.transaction() as session:
        rows = alerts(session, setup.tenant)
        ticket_rows = list(session.scalars(select(Ticket).where(Ticket.tenant == setup.tenant)))
        notes = session.scalars(
            select(TicketComment.body).where(TicketComment.tenant == setup.tenant)
        )
        return rows, ticket_rows, list(notes)


def test_same_condition_different_alert_ids_share_one_ticket(
    committed_db: Database, setup: Setup
) -> None:
    fire_at_once(committed_db, setup, [f"A-{n}" for n in range(WRITERS)])
    rows, ticket_rows, notes = stored(committed_db, setup)
    assert len(rows) == WRITERS
    [ticket] = ticket_rows
    assert {a.ticket_id for a in rows} == {ticket.id}
    assert sum(a.auto_ticket_created for a in rows) == 1
    assert len([n for n in notes if "re-triggered" in n]) == WRITERS - 1
    # every repeat added exactly one to some alert's count: no increment was lost
    assert sum(a.occurrence_count for a in rows) == 2 * WRITERS - 1


def test_concurrent_occurrences_count_on_the_ticket_creating_alert(
    committed_db: Database, setup: Setup
) -> None:
    """The first delivery ran on a host whose clock is a minute ahead (or read it later)."""
    with committed_db.transaction() as session:
        event = make_event(setup.tenant, setup.integration, external_alert_id="first")
        process_alert_event(session, event, datetime.now(UTC) + timedelta(minutes=1))
    fire_at_once(committed_db, setup, [f"A-{n}" for n in range(WRITERS)])
    rows, _, notes = stored(committed_db, setup)
    [creator] = [a for a in rows if a.auto_ticket_created]
    assert creator.external_alert_id == "first"
    assert creator.occurrence_count == WRITERS + 1
    expected = {f"Alert re-triggered — {ordinal(n)} occurrence." for n in range(2, WRITERS + 2)}
    assert {n.split("\n")[0] for n in notes if "re-triggered" in n} == expected


def test_same_alert_id_delivered_at_once_is_stored_once(
    committed_db: Database, setup: Setup
) -> None:
    fire_at_once(committed_db, setup, ["A-1"] * WRITERS)
    rows, ticket_rows, notes = stored(committed_db, setup)
    [alert] = rows
    [ticket] = ticket_rows
    assert (alert.ticket_id, alert.occurrence_count) == (ticket.id, 1)
    assert [n for n in notes if "re-triggered" in n] == []


def test_occurrences_count_on_the_ticket_creating_alert(
    session: Session, tenant: TenantCtx
) -> None:
    """Two webhooks race: B read its clock first, but A won the lock and created the ticket."""
    world = build_world(session, tenant.id, tenant.admin.id)
    add_rule(session, world.tenant, world.integration.id)
    a = process_alert_event(session, world.event(external_alert_id="A"), NOW)
    process_alert_event(session, world.event(external_alert_id="B"), NOW - timedelta(seconds=1))
    c = process_alert_event(session, world.event(external_alert_id="C"), NOW + timedelta(minutes=1))
    assert c.ticket_id == a.ticket_id
    [creator] = [r for r in alerts(session, world.tenant) if r.auto_ticket_created]
    assert creator.occurrence_count == 3
    notes = session.scalars(select(TicketComment.body).where(TicketComment.tenant == tenant.id))
    third = "Alert re-triggered — 3rd occurrence.\nExternal alert ID: C"
    assert any(n.startswith(third) for n in notes)
