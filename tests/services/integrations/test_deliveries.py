"""Stored deliveries run once, each in its own committed transaction: claimed with
`FOR UPDATE SKIP LOCKED`, against a database whose commits are real (and concurrent)."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update

from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.integrations.deliveries import Attempt, process_stored, replay
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Alert, InboundEvent, Integration, Ticket
from alertdesk.testing.fakes import fixture_bytes
from tests.services.alerts.pipeline_fixtures import (
    add_integration,
    add_mapping,
    add_rule,
    build_world,
)

RACERS = 8
TRIGGER = fixture_bytes("ninjaone", "condition_triggered.json")  # organization 2


@pytest.fixture(scope="module")
def db(make_database: Callable[[], str]) -> Iterator[Database]:
    """A database of its own: these transactions really commit, concurrently."""
    database = Database.from_url(make_database(), pool_size=RACERS + 2, max_overflow=0)
    upgrade(database.engine)
    yield database
    database.dispose()


@dataclass(frozen=True)
class World:
    tenant: uuid.UUID
    integration: uuid.UUID


@pytest.fixture
def world(db: Database) -> World:
    """A tenant of its own whose NinjaOne organization 2 is mapped, with a catch-all rule."""
    with db.transaction() as session:
        tenant, admin = create_tenant(
            session, f"MSP {uuid.uuid4().hex[:8]}", "a@x.test", "pw-long-1"
        )
        built = build_world(session, tenant.tenant, admin.id)
        add_mapping(session, tenant.tenant, built.integration.id, built.client.id, "2")
        add_rule(session, tenant.tenant, built.integration.id)
        return World(tenant.tenant, built.integration.id)


def store(
    db: Database, tenant: uuid.UUID, integration: uuid.UUID, body: bytes = TRIGGER
) -> uuid.UUID:
    """A delivery that failed once, a minute ago."""
    with db.transaction() as session:
        row = InboundEvent(
            tenant=tenant, id=uuid.uuid4(), integration_id=integration, provider="ninjaone",
            received_at=datetime.now(UTC) - timedelta(minutes=1), body=body,
            auth_method="header", status="failed", outcome={}, attempts=1, error="boom",
        )  # fmt: skip
        session.add(row)
        return row.id


def delivery(db: Database, tenant: uuid.UUID, inbound_id: uuid.UUID) -> InboundEvent:
    with db.transaction() as session:
        return session.get_one(InboundEvent, (tenant, inbound_id))


def counts(db: Database, tenant: uuid.UUID) -> tuple[int, int]:
    with db.transaction() as session:
        alerts = session.scalars(select(Alert.id).where(Alert.tenant == tenant)).all()
        tickets = session.scalars(select(Ticket.id).where(Ticket.tenant == tenant)).all()
        return len(alerts), len(tickets)


def test_two_processes_replaying_the_same_delivery_process_it_once(
    db: Database, world: World
) -> None:
    inbound_id = store(db, world.tenant, world.integration)
    barrier = threading.Barrier(RACERS)
    results: list[Attempt | None] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(process_stored(db, world.tenant, inbound_id, datetime.now(UTC)))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    [attempt] = [r for r in results if r is not None]  # the others were told: held or done
    assert (attempt.ok, attempt.delivery.body["outcome"]) == (True, "ticket_created")
    assert results.count(None) == RACERS - 1
    assert counts(db, world.tenant) == (1, 1)
    row = delivery(db, world.tenant, inbound_id)
    assert (row.status, row.attempts) == ("processed", 2)


def test_a_delivery_held_by_another_transaction_is_skipped_then_processed(
    db: Database, world: World
) -> None:
    inbound_id = store(db, world.tenant, world.integration)
    now = datetime.now(UTC)
    with db.engine.connect() as other:  # e.g. a webhook or a worker in the middle of it
        held = (
            select(InboundEvent.id)
            .where(InboundEvent.tenant == world.tenant, InboundEvent.id == inbound_id)
            .with_for_update()
        )
        assert other.execute(held).scalar_one() == inbound_id
        assert process_stored(db, world.tenant, inbound_id, now) is None
        assert replay(db, world.tenant, None, now).__dict__ == {
            "attempted": 0, "processed": 0, "still_failing": 0,
        }  # fmt: skip
        other.rollback()
    assert delivery(db, world.tenant, inbound_id).attempts == 1
    assert replay(db, world.tenant, None, now).__dict__ == {
        "attempted": 1, "processed": 1, "still_failing": 0,
    }  # fmt: skip
    assert delivery(db, world.tenant, inbound_id).status == "processed"


def test_a_final_delivery_is_left_alone(db: Database, world: World) -> None:
    inbound_id = store(db, world.tenant, world.integration)
    with db.transaction() as session:
        session.execute(
            update(InboundEvent).where(InboundEvent.id == inbound_id).values(status="dead")
        )
    assert process_stored(db, world.tenant, inbound_id, datetime.now(UTC)) is None
    assert counts(db, world.tenant) == (0, 0)


def broken_integration(db: Database, tenant: uuid.UUID) -> uuid.UUID:
    """Settings the pipeline cannot read: every delivery of this integration raises."""
    with db.transaction() as session:
        integration = add_integration(session, tenant, provider="tacticalrmm")
        session.execute(
            update(Integration)
            .where(Integration.id == integration.id)
            .values(settings={"default_severity": "apocalyptic"})
        )
        return integration.id


@pytest.fixture
def transactions(db: Database) -> Iterator[list[str]]:
    """What the engine did, in order: "claim" (a SKIP LOCKED select) and "commit"."""
    seen: list[str] = []

    def claimed(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        if "FOR UPDATE SKIP LOCKED" in statement and "DELETE" not in statement:
            seen.append("claim")

    def committed(_conn: Any) -> None:
        seen.append("commit")

    event.listen(db.engine, "before_cursor_execute", claimed)
    event.listen(db.engine, "commit", committed)
    yield seen
    event.remove(db.engine, "before_cursor_execute", claimed)
    event.remove(db.engine, "commit", committed)


def test_replay_commits_each_delivery_on_its_own(
    db: Database, world: World, transactions: list[str]
) -> None:
    """A delivery that raises rolls back only itself: the one after it is processed."""
    failing = store(db, world.tenant, broken_integration(db, world.tenant), b"{}")
    good = store(db, world.tenant, world.integration)
    transactions.clear()
    assert replay(db, world.tenant, None, datetime.now(UTC)).__dict__ == {
        "attempted": 2, "processed": 1, "still_failing": 1,
    }  # fmt: skip
    assert transactions.count("claim") == 2
    for before, after in itertools.pairwise(transactions):
        assert (before, after) != ("claim", "claim")  # each claim is committed before the next
    row = delivery(db, world.tenant, failing)
    assert (row.status, row.attempts) == ("failed", 2)
    assert "Input should be" in (row.error or "")
    assert delivery(db, world.tenant, good).status == "processed"
    assert counts(db, world.tenant) == (1, 1)


def test_a_session_reading_a_delivery_does_not_load_its_body(db: Database, world: World) -> None:
    inbound_id = store(db, world.tenant, world.integration)
    with db.transaction() as session:
        row = session.get_one(InboundEvent, (world.tenant, inbound_id))
        assert "body" not in row.__dict__  # deferred: loaded only when processing asks for it
        assert row.body == TRIGGER
