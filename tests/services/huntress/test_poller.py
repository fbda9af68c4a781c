"""The Huntress poll cycle (seed Task 10) over the fake Huntress API: skipped until routing is
complete; incidents processed oldest first and the cursor moved past them; the first failure
stops the cycle with the cursor on the last success; re-polling creates nothing; vendor
failures recorded; and a 1,000-incident backfill on 200 agents costs a handful of requests."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from alertdesk.providers.huntress.api import pacer_for
from alertdesk.services.huntress.poller import POLL_TASK, poll, queue_due_polls
from alertdesk.services.integrations.records import Vendor
from alertdesk.storage.database import Database
from alertdesk.storage.models import Integration, OrgMapping, Ticket
from alertdesk.testing.fakes import HUNTRESS_URL, FakeHuntress, huntress_fixture
from tests.services.huntress.conftest import NOW, ORG, VAULT, Setup


@pytest.fixture(autouse=True)
def no_pacing() -> Iterator[None]:
    """The real client waits 1.1 s between requests; these tests count them instead."""
    pacer = pacer_for(HUNTRESS_URL, "hk-key")
    pacer.interval = 0
    yield
    pacer.interval = 1.1


@pytest.fixture
def database(engine: Engine, connection: Connection) -> Database:
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return Database(engine, sessions)


@pytest.fixture
def fake() -> FakeHuntress:
    return FakeHuntress(incidents=[])


def incident(n: int, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = copy.deepcopy(huntress_fixture("incident_report_single.json"))
    updated = (NOW - timedelta(hours=2) + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
    report: dict[str, Any] = base["incident_report"]
    return report | {"id": n, "updated_at": updated, "subject": f"HIGH - incident {n}",
                     "severity": "high"} | changes  # fmt: skip


def run(database: Database, setup: Setup, fake: FakeHuntress) -> dict[str, Any]:
    vendor = Vendor(fake.client(), VAULT)
    return poll(database, vendor, setup.source.tenant, setup.source.integration_id, NOW)


def row(session: Session, setup: Setup) -> Integration:
    session.expire_all()
    return session.get_one(Integration, (setup.source.tenant, setup.source.integration_id))


def tickets(session: Session, setup: Setup) -> int:
    count = select(func.count()).select_from(Ticket).where(Ticket.tenant == setup.source.tenant)
    return int(session.scalar(count) or 0)


def test_nothing_is_asked_until_routing_is_complete(
    session: Session, database: Database, setup: Setup, fake: FakeHuntress
) -> None:
    integration = row(session, setup)
    integration.settings = {**integration.settings, "board_id": None}
    session.flush()
    assert run(database, setup, fake) == {"skipped": True, "reason": "routing incomplete"}
    assert fake.requests == []


def test_incidents_are_processed_oldest_first_and_the_cursor_moves_past_them(
    session: Session, database: Database, setup: Setup, fake: FakeHuntress
) -> None:
    fake.incidents = [incident(2), incident(1)]
    counts = run(database, setup, fake)
    assert (counts["fetched"], counts["created"], counts["errors"]) == (2, 2, 0)
    integration = row(session, setup)
    assert integration.settings["incident_cursor"].startswith(
        (NOW - timedelta(hours=2) + timedelta(minutes=2)).isoformat()[:19]
    )
    assert (integration.sync_status, integration.last_poll_at) == ("ok", NOW)
    numbers = session.scalars(
        select(Ticket.source_reference)
        .where(Ticket.tenant == setup.source.tenant)
        .order_by(Ticket.number)
    )
    assert list(numbers) == ["1", "2"]
    again = run(database, setup, fake)  # re-polling: the overlap is re-read, nothing new
    assert (again["created"], again["skipped"], tickets(session, setup)) == (0, 2, 2)


def test_the_first_failure_stops_the_cycle_and_keeps_the_cursor_on_the_last_success(
    session: Session, database: Database, setup: Setup, fake: FakeHuntress
) -> None:
    integration = row(session, setup)
    broken = {**integration.settings["severity_priority_map"], "low": str(setup.asset_id)}
    integration.settings = {**integration.settings, "severity_priority_map": broken}
    session.flush()  # a "low" incident now points at no priority: it cannot become a ticket
    fake.incidents = [incident(1), incident(2, severity="low"), incident(3)]
    counts = run(database, setup, fake)
    assert (counts["created"], counts["errors"]) == (1, 1)
    integration = row(session, setup)
    assert integration.settings["incident_cursor"].startswith(
        (NOW - timedelta(hours=2) + timedelta(minutes=1)).isoformat()[:19]
    )
    assert integration.sync_status == "error"
    assert "incident 2" in (integration.sync_error or "")
    assert tickets(session, setup) == 1  # incident 3 was not attempted


@pytest.mark.parametrize(("status", "sync_status"), [(500, "ok"), (401, "error")])
def test_a_vendor_failure_is_recorded_and_the_cursor_stays(
    session: Session, database: Database, setup: Setup, fake: FakeHuntress, status: int,
    sync_status: str,
) -> None:  # fmt: skip
    fake.incidents = [incident(1)]
    row(session, setup).sync_status = "ok"
    session.flush()
    fake.fail("/v1/incident_reports", status)
    counts = run(database, setup, fake)
    assert (counts["errors"], counts["created"]) == (1, 0)
    integration = row(session, setup)
    assert (integration.sync_status, str(status) in (integration.sync_error or "")) == (
        sync_status, True,
    )  # fmt: skip
    assert "incident_cursor" not in integration.settings


def test_an_unknown_organization_is_named_from_huntress_and_goes_to_the_fallback(
    session: Session, database: Database, setup: Setup, fake: FakeHuntress
) -> None:
    fake.organizations = [*fake.organizations, {"id": 600, "name": "Brand New Dental"}]
    fake.incidents = [incident(1, organization_id=600, agent_id=None)]
    assert run(database, setup, fake)["created"] == 1
    found = session.scalars(select(OrgMapping).where(OrgMapping.external_org_id == "600")).one()
    assert (found.external_org_name, found.client_id) == ("Brand New Dental", None)


def test_a_backfill_of_1000_incidents_on_200_agents_costs_a_few_requests(
    session: Session, database: Database, setup: Setup, fake: FakeHuntress
) -> None:
    agent = huntress_fixture("agent.json")["agent"]
    fake.agents = [agent | {"id": 10_000 + a, "hostname": f"PC-{a}"} for a in range(200)]
    # being deleted at Huntress: each is read, looked up and skipped without a ticket (fast)
    fake.incidents = [
        incident(n, agent_id=10_000 + n % 200, organization_id=ORG, status="deleting")
        for n in range(1, 1001)
    ]
    counts = run(database, setup, fake)
    assert (counts["fetched"], counts["skipped"], counts["errors"]) == (1000, 1000, 0)
    assert counts["api_requests"] <= 40
    assert counts["api_requests"] == len(fake.requests)
    per_agent = [r for r in fake.requests if r.url.path.startswith("/v1/agents/")]
    assert per_agent == []  # the agent list was paged instead


def test_due_integrations_are_queued_by_their_interval(session: Session, setup: Setup) -> None:
    session.execute(text("delete from procrastinate_jobs"))
    integration = row(session, setup)
    integration.last_poll_at = NOW - timedelta(minutes=3)  # the default interval is 5 minutes
    session.flush()
    assert queue_due_polls(session, NOW) == 0
    assert queue_due_polls(session, NOW + timedelta(minutes=2)) == 1
    assert queue_due_polls(session, NOW + timedelta(minutes=2)) == 1  # still one job waiting
    jobs = session.execute(
        text("select count(*) from procrastinate_jobs where task_name = :t"), {"t": POLL_TASK}
    ).scalar_one()
    assert jobs == 1
