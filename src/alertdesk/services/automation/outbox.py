"""Delivering the event outbox after commit. Publishing notifies CHANNEL with the tenant; the
job worker listens (jobs/outbox_listener.py) and queues one `deliver_events` job per tenant.
Nothing is queued inside the publishing transaction: a job row with a queueing lock would make
every publishing transaction of the tenant wait for the one before to commit. Events whose
notice was missed (no worker listening, a crash) are queued by the sweep.

The job hands each event to every consumer of its type, each in a transaction of its own that
also writes the (event, consumer) row — so a consumer acts once per event, however often
delivery is repeated."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from alertdesk.storage.database import Database
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Event, EventDelivery

DELIVER_TASK = "deliver_events"
CHANNEL = "alertdesk_outbox"  # LISTEN/NOTIFY channel; the payload is the tenant id
BATCH = 100
log = logging.getLogger(__name__)
STRAGGLER_AGE = timedelta(seconds=30)  # undelivered this long: its job was lost (a crash)


@dataclass(frozen=True)
class Consumer:
    """Acts on events of some types, inside the delivery's transaction: database work only —
    a consumer that must call a vendor queues a job of its own instead."""

    name: str
    event_types: frozenset[str]
    handle: Callable[[Session, Event, datetime], None]


def defer_delivery(session: Session, tenant: uuid.UUID) -> None:
    """At most one waiting job per tenant; two running at once are safe (each (event,
    consumer) is claimed once). A failed job is not retried: the sweep queues another."""
    key = f"outbox:{tenant}"
    defer(session, DELIVER_TASK, {"tenant": str(tenant)}, queueing_lock=key)


def deliver_pending(
    database: Database, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    """Deliver the tenant's undelivered events, oldest first; how many were delivered.

    A batch of events goes to its consumers in one transaction. When a consumer raises, that
    batch is rolled back and delivered again one (event, consumer) at a time, so the events
    before the failing one are kept done; the failure then stops here (the job is retried).
    """
    delivered = 0
    while True:
        try:
            with database.transaction() as session:
                batch = _deliver_batch(session, tenant, consumers, now)
        except Exception:
            log.warning("an event consumer failed; delivering tenant %s one by one", tenant)
            return delivered + _deliver_singly(database, tenant, consumers, now)
        delivered += batch
        if batch < BATCH:
            return delivered


def _undelivered(tenant: uuid.UUID) -> Select[Event]:
    return (
        select(Event)
        .where(Event.tenant == tenant, Event.delivered_at.is_(None))
        .order_by(Event.created_at, Event.id)
        .limit(BATCH)
    )


def _deliver_batch(
    session: Session, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    """Events another job holds right now are left to it (`SKIP LOCKED`)."""
    events = session.scalars(_undelivered(tenant).with_for_update(skip_locked=True)).all()
    for event in events:
        for consumer in consumers:
            if event.type in consumer.event_types:
                _deliver_once(session, event, consumer, now)
    if events:
        _mark_delivered(session, tenant, [e.id for e in events], now)
    return len(events)


def _deliver_singly(
    database: Database, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    delivered = 0
    with database.transaction() as session:
        pending = [(e.id, e.type) for e in session.scalars(_undelivered(tenant))]
    for event_id, type_ in pending:
        for consumer in consumers:
            if type_ in consumer.event_types:
                with database.transaction() as session:
                    event = session.get_one(Event, (tenant, event_id))
                    _deliver_once(session, event, consumer, now)
        with database.transaction() as session:
            _mark_delivered(session, tenant, [event_id], now)
        delivered += 1
    return delivered


def _mark_delivered(
    session: Session, tenant: uuid.UUID, ids: list[uuid.UUID], now: datetime
) -> None:
    session.execute(
        update(Event)
        .where(Event.tenant == tenant, Event.id.in_(ids))
        .values(delivered_at=now)
        .execution_options(synchronize_session=False)
    )


def _deliver_once(session: Session, event: Event, consumer: Consumer, now: datetime) -> None:
    claimed = session.scalar(
        insert(EventDelivery)
        .values(
            tenant=event.tenant,
            id=uuid.uuid4(),
            event_id=event.id,
            consumer=consumer.name,
            delivered_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant", "event_id", "consumer"])
        .returning(EventDelivery.id)
    )
    if claimed is not None:  # else this consumer already acted on this event
        consumer.handle(session, event, now)


def requeue_stragglers(session: Session, now: datetime, age: timedelta = STRAGGLER_AGE) -> int:
    """Queue delivery for every tenant with events undelivered for `age` (their notice or job
    was lost; 0 when a listener starts); reads every tenant. How many tenants were queued."""
    tenants = session.scalars(
        select(Event.tenant)
        .where(Event.delivered_at.is_(None), Event.created_at <= now - age)
        .distinct()
    ).all()
    for tenant in tenants:
        defer_delivery(session, tenant)
    return len(tenants)
