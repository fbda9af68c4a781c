"""Delivering the event outbox after commit. A transaction that publishes events also queues
one `deliver_events` job for its tenant; the job hands each event to every consumer of its
type, each in a transaction of its own that also writes the (event, consumer) row — so a
consumer acts once per event, however often delivery is repeated after a crash."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from alertdesk.storage.database import Database
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Event, EventDelivery

DELIVER_TASK = "deliver_events"
BATCH = 100
STRAGGLER_AGE = timedelta(seconds=30)  # undelivered this long: its job was lost (a crash)


@dataclass(frozen=True)
class Consumer:
    """Acts on events of some types, inside the delivery's transaction: database work only —
    a consumer that must call a vendor queues a job of its own instead."""

    name: str
    event_types: frozenset[str]
    handle: Callable[[Session, Event, datetime], None]


def request_delivery(session: Session, tenant: uuid.UUID) -> None:
    """Queue the tenant's delivery job, once per transaction (see `events.publish`)."""
    queued: dict[uuid.UUID, object] = session.info.setdefault("outbox_queued", {})
    transaction = session.get_transaction()
    if queued.get(tenant) is transaction:
        return
    queued[tenant] = transaction
    defer_delivery(session, tenant)


def defer_delivery(session: Session, tenant: uuid.UUID) -> None:
    """At most one waiting job per tenant; two running at once are safe (each (event,
    consumer) is claimed once). A failed job is not retried: the sweep queues another."""
    key = f"outbox:{tenant}"
    defer(session, DELIVER_TASK, {"tenant": str(tenant)}, queueing_lock=key)


def deliver_pending(
    database: Database, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    """Deliver the tenant's undelivered events, oldest first; how many were delivered. A
    consumer's exception stops here (the job is retried) with earlier events kept done."""
    delivered = 0
    while True:
        with database.transaction() as session:
            pending = session.execute(
                select(Event.id, Event.type)
                .where(Event.tenant == tenant, Event.delivered_at.is_(None))
                .order_by(Event.created_at, Event.id)
                .limit(BATCH)
            ).all()
        for event_id, type_ in pending:
            for consumer in consumers:
                if type_ in consumer.event_types:
                    with database.transaction() as session:
                        _deliver_once(session, tenant, event_id, consumer, now)
            with database.transaction() as session:
                session.execute(
                    update(Event)
                    .where(Event.tenant == tenant, Event.id == event_id)
                    .values(delivered_at=now)
                )
            delivered += 1
        if len(pending) < BATCH:
            return delivered


def _deliver_once(
    session: Session, tenant: uuid.UUID, event_id: uuid.UUID, consumer: Consumer, now: datetime
) -> None:
    claimed = session.scalar(
        insert(EventDelivery)
        .values(
            tenant=tenant,
            id=uuid.uuid4(),
            event_id=event_id,
            consumer=consumer.name,
            delivered_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant", "event_id", "consumer"])
        .returning(EventDelivery.id)
    )
    if claimed is None:
        return  # this consumer already acted on this event
    event = session.scalars(select(Event).where(Event.tenant == tenant, Event.id == event_id)).one()
    consumer.handle(session, event, now)


def requeue_stragglers(session: Session, now: datetime) -> int:
    """Queue delivery for every tenant with events left undelivered (their job was lost);
    reads every tenant (a periodic sweep). How many tenants were queued."""
    tenants = session.scalars(
        select(Event.tenant)
        .where(Event.delivered_at.is_(None), Event.created_at < now - STRAGGLER_AGE)
        .distinct()
    ).all()
    for tenant in tenants:
        defer_delivery(session, tenant)
    return len(tenants)
