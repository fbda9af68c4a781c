"""People pressing "Create ticket" at once on alerts of one condition, while the vendor sends
repeats of it: one ticket, every alert on it, no occurrence lost (the condition's lock row)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from alertdesk.core.actors import Actor
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.services.alerts.service import ManualTicket, ticket_for_alert
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Ticket
from tests.services.alerts.pipeline_fixtures import add_rule, alerts, build_world, make_event

PEOPLE = 6


@dataclass(frozen=True)
class Setup:
    tenant: uuid.UUID
    admin: uuid.UUID
    integration: uuid.UUID
    recorded: list[uuid.UUID]


@pytest.fixture
def committed_db(make_database: Callable[[], str]) -> Iterator[Database]:
    database = Database.from_url(make_database(), pool_size=2 * PEOPLE, max_overflow=0)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def setup(committed_db: Database) -> Setup:
    """PEOPLE alerts of one condition, recorded without a ticket (the rule records only)."""
    with committed_db.transaction() as session:
        tenant, admin = create_tenant(session, "Race MSP", "race@example.com", "long-password")
        world = build_world(session, tenant.tenant, admin.id)
        rule = add_rule(
            session, tenant.tenant, world.integration.id, actions={"create_ticket": False}
        )
        ids = []
        for n in range(PEOPLE):
            event = make_event(tenant.tenant, world.integration.id, external_alert_id=f"A-{n}")
            outcome = process_alert_event(session, event, datetime.now(UTC))
            assert outcome.alert_id is not None
            ids.append(outcome.alert_id)
        rule.actions = {"create_ticket": True}  # from now on the vendor's repeats join or open
        return Setup(tenant.tenant, admin.id, world.integration.id, ids)


def at_once(jobs: list[Callable[[], object]]) -> None:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []


def test_presses_and_repeats_at_once_make_one_ticket(committed_db: Database, setup: Setup) -> None:
    joined: list[bool] = []

    def press(alert_id: uuid.UUID) -> Callable[[], object]:
        def job() -> None:
            with committed_db.transaction() as session:
                result = ticket_for_alert(
                    session, setup.tenant, alert_id, ManualTicket(), Actor.user(setup.admin),
                    datetime.now(UTC),
                )  # fmt: skip
                joined.append(result.joined)

        return job

    def repeat(external_id: str) -> Callable[[], object]:
        def job() -> None:
            with committed_db.transaction() as session:
                event = make_event(setup.tenant, setup.integration, external_alert_id=external_id)
                process_alert_event(session, event, datetime.now(UTC))

        return job

    at_once([press(a) for a in setup.recorded] + [repeat(f"R-{n}") for n in range(PEOPLE)])

    with committed_db.transaction() as session:
        rows = alerts(session, setup.tenant)
        [ticket] = session.scalars(select(Ticket).where(Ticket.tenant == setup.tenant))
    assert len(rows) == 2 * PEOPLE
    assert {a.ticket_id for a in rows} == {ticket.id}
    assert sorted(joined).count(False) <= 1  # at most one press opened it (else a repeat did)
    assert sum(a.occurrence_count for a in rows) == 2 * (2 * PEOPLE) - 1
