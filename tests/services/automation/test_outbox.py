"""The event outbox: publishing writes the event and notifies the worker in one statement and
queues no job inside the transaction (tests/jobs/test_outbox_listener.py: the worker queues
one per tenant); delivery hands each event to each consumer of its type once, even when it is
repeated after a consumer crashed; lost jobs are queued again by the sweep."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

from alertdesk.services.automation.events import (
    RMM_ALERT_TRIGGERED,
    TICKET_CLOSED,
    TICKET_CREATED,
    publish,
)
from alertdesk.services.automation.outbox import (
    DELIVER_TASK,
    Consumer,
    deliver_pending,
    requeue_stragglers,
)
from alertdesk.services.workflows.definitions import TRIGGERS
from alertdesk.services.workflows.runs import start_runs
from alertdesk.storage.database import Database
from alertdesk.storage.direct import send_deferred
from alertdesk.storage.models import Event, EventDelivery
from tests.conftest import TenantCtx
from tests.fakes.statements import statements

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def database(engine: Engine, connection: Connection) -> Database:
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return Database(engine, sessions)


def delivery_jobs(session: Session) -> list[tuple[str, str | None]]:
    rows = session.execute(
        text(
            "select args->>'tenant', queueing_lock from procrastinate_jobs"
            " where task_name = :t and status = 'todo' order by id"
        ),
        {"t": DELIVER_TASK},
    )
    return [(tenant, lock) for tenant, lock in rows]


class Recorder:
    """A consumer that records what it saw once its transaction commits (consumers do database
    work only: a rolled-back handling did not happen); it can crash on its first calls."""

    def __init__(self, crashes: int = 0) -> None:
        self.seen: list[str] = []
        self.crashes = crashes

    def handle(self, session: Session, event: Event, now: datetime) -> None:
        if self.crashes:
            self.crashes -= 1
            raise RuntimeError("consumer crashed")
        seen = event.payload["n"]
        sa_event.listen(session, "after_commit", lambda _s: self.seen.append(seen), once=True)


def publish_many(database: Database, tenant: uuid.UUID, *types: str) -> list[uuid.UUID]:
    with database.transaction() as session:
        ids = [
            publish(session, tenant, t, {"n": str(i)}, NOW + timedelta(seconds=i))
            for i, t in enumerate(types)
        ]
        session.flush()
        return ids


def test_publishing_is_one_statement_and_queues_no_job_inside(
    session: Session, tenant: TenantCtx
) -> None:
    session.execute(text("delete from procrastinate_jobs"))
    session.flush()
    with statements(session.connection()) as seen:
        event_id = publish(session, tenant.id, TICKET_CREATED, {"n": "1", "gone": None}, NOW)
        send_deferred(session)  # deferred until the next statement: sent here
    [statement] = seen
    assert "pg_notify" in statement
    assert delivery_jobs(session) == []
    stored = session.get_one(Event, (tenant.id, event_id))
    assert (stored.type, stored.payload, stored.delivered_at) == (TICKET_CREATED, {"n": "1"}, None)


def test_each_consumer_gets_the_events_of_its_types_once_in_order(
    database: Database, tenant: TenantCtx, session: Session
) -> None:
    closed, created = Recorder(), Recorder()
    consumers = [
        Consumer("closed", frozenset({TICKET_CLOSED}), closed.handle),
        Consumer("created", frozenset({TICKET_CREATED}), created.handle),
    ]
    publish_many(database, tenant.id, TICKET_CREATED, TICKET_CLOSED, TICKET_CREATED)
    assert deliver_pending(database, tenant.id, consumers, NOW) == 3
    assert deliver_pending(database, tenant.id, consumers, NOW) == 0  # a repeated job
    assert (closed.seen, created.seen) == (["1"], ["0", "2"])
    undelivered = session.scalars(
        select(Event.id).where(Event.tenant == tenant.id, Event.delivered_at.is_(None))
    )
    assert list(undelivered) == []


def test_a_consumer_crash_is_retried_and_acts_once(
    database: Database, tenant: TenantCtx, session: Session
) -> None:
    flaky, steady = Recorder(crashes=2), Recorder()  # in the batch, then one by one
    consumers = [
        Consumer("steady", frozenset({TICKET_CLOSED}), steady.handle),
        Consumer("flaky", frozenset({TICKET_CLOSED}), flaky.handle),
    ]
    (event_id,) = publish_many(database, tenant.id, TICKET_CLOSED)
    with pytest.raises(RuntimeError, match="consumer crashed"):
        deliver_pending(database, tenant.id, consumers, NOW)
    assert (steady.seen, flaky.seen) == (["0"], [])
    # one by one, steady's handling was recorded: the retry's batch skips it
    rows = session.scalars(select(EventDelivery.consumer).where(EventDelivery.event_id == event_id))
    assert list(rows) == ["steady"]
    assert deliver_pending(database, tenant.id, consumers, NOW) == 1  # the job's retry
    assert (steady.seen, flaky.seen) == (["0"], ["0"])


def test_tenants_do_not_deliver_each_others_events(
    database: Database, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    mine = Recorder()
    publish_many(database, tenant.id, TICKET_CLOSED)
    publish_many(database, other.id, TICKET_CLOSED, TICKET_CLOSED)
    consumer = [Consumer("c", frozenset({TICKET_CLOSED}), mine.handle)]
    assert deliver_pending(database, tenant.id, consumer, NOW) == 1
    assert mine.seen == ["0"]


def test_the_sweep_queues_tenants_whose_delivery_job_was_lost(
    session: Session, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    publish(session, tenant.id, TICKET_CLOSED, {}, NOW - timedelta(minutes=5))
    publish(session, other.id, TICKET_CLOSED, {}, NOW)  # recent: its job is still coming
    session.flush()
    session.execute(text("delete from procrastinate_jobs"))  # the jobs were lost
    assert requeue_stragglers(session, NOW) == 1
    assert delivery_jobs(session) == [(str(tenant.id), f"outbox:{tenant.id}")]


def test_a_batch_of_events_is_delivered_in_one_transaction(
    database: Database, tenant: TenantCtx, connection: Connection
) -> None:
    recorder = Recorder()
    publish_many(database, tenant.id, *[TICKET_CLOSED] * 5)
    consumers = [Consumer("c", frozenset({TICKET_CLOSED}), recorder.handle)]
    with statements(connection) as seen:
        assert deliver_pending(database, tenant.id, consumers, NOW) == 5
    assert recorder.seen == ["0", "1", "2", "3", "4"]
    assert [s for s in seen if "INTO event_delivery" in s] == []  # nothing recorded per pair
    work = [s for s in seen if "SAVEPOINT" not in s]  # the test's stand-in for a transaction
    assert len(work) == 1 + 1, work  # read the batch, mark it delivered
    assert len(seen) - len(work) == 2  # one transaction: begun and committed once


def test_a_consumer_prepares_for_its_events_of_a_batch_once(
    database: Database, tenant: TenantCtx
) -> None:
    closed, prepared = Recorder(), []

    def prepare(_session: Session, events: Sequence[Event], _now: datetime) -> None:
        prepared.append([event.payload["n"] for event in events])

    consumers = [Consumer("c", frozenset({TICKET_CLOSED}), closed.handle, prepare)]
    publish_many(database, tenant.id, TICKET_CLOSED, TICKET_CREATED, TICKET_CLOSED)
    assert deliver_pending(database, tenant.id, consumers, NOW) == 3
    assert prepared == [["0", "2"]]  # its types only, before it handles them
    assert closed.seen == ["0", "2"]


def test_a_batch_reads_the_tenants_workflows_once(
    database: Database, tenant: TenantCtx, connection: Connection
) -> None:
    publish_many(database, tenant.id, *[RMM_ALERT_TRIGGERED] * 4, TICKET_CLOSED)
    consumers = [Consumer("workflows", frozenset(TRIGGERS), start_runs)]
    with statements(connection) as seen:
        assert deliver_pending(database, tenant.id, consumers, NOW) == 5
    reads = [s for s in seen if s.startswith("SELECT") and "FROM workflow " in s]
    assert len(reads) == 2, reads  # one per trigger, not one per event
