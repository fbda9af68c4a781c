"""Deliveries taken together (`ingest_together`): one transaction and one commit for all, each
answered as it would be alone, in order (a repeat joins the ticket opened just before it in
the same transaction); when one fails, each goes alone and nothing is lost or done twice."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session

from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.integrations import inbound
from alertdesk.services.integrations.deliveries import (
    Receive,
    Received,
    Together,
    ingest_together,
)
from alertdesk.services.integrations.inbound import Delivery
from alertdesk.services.integrations.records import parse_settings
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Alert, InboundEvent, Integration, IntegrationRoute, Ticket
from alertdesk.testing.fakes import fixture_bytes
from tests.fakes.statements import engine_statements
from tests.services.alerts.pipeline_fixtures import add_mapping, add_rule, build_world


@pytest.fixture(scope="module")
def db(make_database: Callable[[], str]) -> Iterator[Database]:
    """A database of its own: these transactions really commit."""
    database = Database.from_url(make_database())
    upgrade(database.engine)
    yield database
    database.dispose()


def new_tenant(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant with a NinjaOne integration and a catch-all rule: (tenant, integration)."""
    with db.transaction() as session:
        made, admin = create_tenant(session, f"MSP {uuid.uuid4().hex[:8]}", "a@x.test", "pw-long-1")
        built = build_world(session, made.tenant, admin.id)
        integration = built.integration.id
        add_mapping(session, made.tenant, integration, built.client.id, "2")  # the fixture's org
        add_rule(session, made.tenant, integration)
        session.add(IntegrationRoute(integration_id=integration, tenant=made.tenant))
        return made.tenant, integration


@pytest.fixture
def tenant(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    return new_tenant(db)


def trigger(condition: str) -> bytes:
    """A NinjaOne condition's trigger, as a new alert (series) of it."""
    body = json.loads(fixture_bytes("ninjaone", "condition_triggered.json"))
    body |= {"sourceConfigUid": condition, "seriesUid": str(uuid.uuid4())}
    return json.dumps(body).encode()


def arrival(tenant: uuid.UUID, integration_id: uuid.UUID, body: bytes) -> tuple[Receive, datetime]:
    """What the webhook route hands over once it has a body (authentication left out)."""

    def receive(session: Session) -> Received | Delivery:
        integration = inbound.find_active_integration(session, "ninjaone", integration_id)
        assert integration is not None
        assert integration.tenant == tenant
        return integration, inbound.received(integration, body, "application/json", "header", now)

    now = datetime.now(UTC)
    return receive, now


def refused(session: Session) -> Delivery:
    return Delivery(401, {"detail": "missing or wrong webhook secret"})


def outcomes(answers: list[Delivery | Exception]) -> list[Any]:
    return [a.body.get("outcome", a.status_code) if isinstance(a, Delivery) else type(a).__name__
            for a in answers]  # fmt: skip


def body(answer: Delivery | Exception) -> dict[str, Any]:
    assert isinstance(answer, Delivery), answer
    return answer.body


def commits_during(db: Database, run: Callable[[], Together]) -> tuple[Together, int]:
    counted = []
    listener = lambda _conn: counted.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        return run(), len(counted)
    finally:
        event.remove(db.engine, "commit", listener)


def rows(db: Database, tenant: uuid.UUID) -> tuple[list[tuple[str, int]], int, int, int]:
    """Deliveries (status, attempts) oldest first; tickets; alerts; transactions that wrote
    the deliveries."""
    with db.transaction() as session:
        stored = session.execute(
            select(InboundEvent.status, InboundEvent.attempts)
            .where(InboundEvent.tenant == tenant)
            .order_by(InboundEvent.received_at)
        ).all()
        tickets = len(session.scalars(select(Ticket.id).where(Ticket.tenant == tenant)).all())
        alerts = len(session.scalars(select(Alert.id).where(Alert.tenant == tenant)).all())
        writers = session.scalar(
            text("select count(distinct xmin::text) from inbound_event where tenant = :t"),
            {"t": tenant},
        )
    return [(s, a) for s, a in stored], tickets, alerts, writers or 0


def test_deliveries_taken_together_are_answered_in_order_with_one_commit(
    db: Database, tenant: tuple[uuid.UUID, uuid.UUID]
) -> None:
    t, first = tenant
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    arrivals = [arrival(t, first, trigger(a)), (refused, datetime.now(UTC)),
                arrival(t, first, trigger(b)), arrival(t, first, trigger(a))]  # fmt: skip

    together, commits = commits_during(db, lambda: ingest_together(db, arrivals))

    answers = together.answers
    assert outcomes(answers) == ["ticket_created", 401, "ticket_created", "occurrence_appended"]
    assert (commits, together.alone) == (1, False)
    assert body(answers[3])["ticket_id"] == body(answers[0])["ticket_id"]
    stored, tickets, alerts, writers = rows(db, t)
    assert stored == [("processed", 1)] * 3  # the refused one is not kept
    assert (tickets, alerts, writers) == (2, 3, 1)


def test_deliveries_of_one_integration_taken_together_read_it_and_its_routing_once(
    db: Database, tenant: tuple[uuid.UUID, uuid.UUID]
) -> None:
    t, first = tenant
    arrivals = [arrival(t, first, trigger(str(uuid.uuid4()))) for _ in range(3)]
    with engine_statements(db.engine) as seen:
        together = ingest_together(db, arrivals)
    assert outcomes(together.answers) == ["ticket_created"] * 3
    assert len([s for s in seen if s.startswith("SELECT integration.")]) == 1
    assert len([s for s in seen if "FROM board" in s]) == 1  # board, status, assignee
    again = [arrival(t, first, trigger(str(uuid.uuid4()))) for _ in range(2)]
    with engine_statements(db.engine) as seen:
        ingest_together(db, again)
    assert len([s for s in seen if "FROM board" in s]) == 1  # read again: a new transaction


def test_an_integration_s_settings_are_validated_once_per_transaction(
    db: Database, tenant: tuple[uuid.UUID, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    t, first = tenant
    validated: list[object] = []

    def counted(raw: dict[str, Any]) -> Any:  # the real validation, counted
        validated.append(raw)
        return parse_settings(raw)

    monkeypatch.setattr(inbound, "parse_settings", counted)
    ingest_together(db, [arrival(t, first, trigger(str(uuid.uuid4()))) for _ in range(3)])
    assert len(validated) == 1
    ingest_together(db, [arrival(t, first, trigger(str(uuid.uuid4()))) for _ in range(2)])
    assert len(validated) == 2  # again in a new transaction: an edit in between counts


def test_one_failing_delivery_sends_each_alone_and_nothing_is_lost_or_done_twice(
    db: Database, tenant: tuple[uuid.UUID, uuid.UUID]
) -> None:
    t, good = tenant
    other, broken = new_tenant(db)
    with db.transaction() as session:  # processing raises for the other tenant's integration
        session.execute(
            update(Integration)
            .where(Integration.tenant == other, Integration.id == broken)
            .values(settings={"default_severity": "apocalyptic"})
        )
    arrivals = [arrival(t, good, trigger(str(uuid.uuid4()))),
                arrival(other, broken, trigger(str(uuid.uuid4()))),
                arrival(t, good, trigger(str(uuid.uuid4())))]  # fmt: skip

    together, commits = commits_during(db, lambda: ingest_together(db, arrivals))

    answers = together.answers
    assert together.alone
    assert outcomes(answers) == ["ticket_created", 202, "ticket_created"]
    assert body(answers[1])["queued"] is True
    assert commits == 3  # the batch rolled back; then one commit each
    assert rows(db, t) == ([("processed", 1), ("processed", 1)], 2, 2, 2)
    assert rows(db, other) == ([("failed", 1)], 0, 0, 1)


def test_an_error_before_authentication_is_that_deliverys_answer_alone(
    db: Database, tenant: tuple[uuid.UUID, uuid.UUID]
) -> None:
    t, first = tenant

    def broken(session: Session) -> Delivery:
        raise RuntimeError("the vault could not decrypt the secret")

    arrivals = [arrival(t, first, trigger(str(uuid.uuid4()))), (broken, datetime.now(UTC))]
    together = ingest_together(db, arrivals)
    assert outcomes(together.answers) == ["ticket_created", "RuntimeError"]
    assert together.alone
    stored, tickets, _, _ = rows(db, t)
    assert (stored, tickets) == ([("processed", 1)], 1)


def test_a_single_delivery_goes_straight_alone(
    db: Database, tenant: tuple[uuid.UUID, uuid.UUID]
) -> None:
    t, first = tenant
    together, commits = commits_during(
        db, lambda: ingest_together(db, [arrival(t, first, trigger(str(uuid.uuid4())))])
    )
    assert (outcomes(together.answers), together.alone, commits) == (["ticket_created"], False, 1)
