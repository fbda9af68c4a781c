"""Delivering the event outbox after commit. Publishing notifies CHANNEL with the tenant; the
job worker listens (jobs/outbox_listener.py) and queues one `deliver_events` job per tenant.
Nothing is queued inside the publishing transaction: a job row with a queueing lock would make
every publishing transaction of the tenant wait for the one before to commit. Events whose
notice was missed (no worker listening, a crash) are queued by the sweep.

The job hands a batch of events to every consumer of their types in one transaction that also
writes each (event, consumer) row — so a consumer acts once per event, however often delivery
is repeated."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ARRAY, String, Uuid, any_, bindparam, select, text, update
from sqlalchemy.orm import Session

from alertdesk.storage.database import Database
from alertdesk.storage.direct import Direct
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Event
from alertdesk.storage.rows import columns_of, detached

DELIVER_TASK = "deliver_events"
CHANNEL = "alertdesk_outbox"  # LISTEN/NOTIFY channel; the payload is the tenant id
BATCH = 100
log = logging.getLogger(__name__)
STRAGGLER_AGE = timedelta(seconds=30)  # undelivered this long: its job was lost (a crash)
# every (event, consumer) pair of a batch in one statement; those done before skipped
_CLAIM = Direct(
    text(
        "INSERT INTO event_delivery (tenant, id, event_id, consumer, delivered_at)"
        " SELECT :tenant, pair.id, pair.event_id, pair.consumer, :now"
        " FROM unnest(:ids, :event_ids, :consumers) AS pair (id, event_id, consumer)"
        " ON CONFLICT (tenant, event_id, consumer) DO NOTHING RETURNING event_id, consumer"
    ).bindparams(
        bindparam("ids", type_=ARRAY(Uuid)),
        bindparam("event_ids", type_=ARRAY(Uuid)),
        bindparam("consumers", type_=ARRAY(String)),
    )
)


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


def _undelivered(locked: bool) -> Direct:
    """The oldest undelivered events of a tenant (built once)."""
    query = (
        select(*columns_of(Event))
        .where(Event.tenant == bindparam("tenant", type_=Uuid), Event.delivered_at.is_(None))
        .order_by(Event.created_at, Event.id)
        .limit(BATCH)
    )
    return Direct(query.with_for_update(skip_locked=True) if locked else query)


_UNDELIVERED = {locked: _undelivered(locked) for locked in (False, True)}


def _pending(session: Session, tenant: uuid.UUID, locked: bool) -> list[Event]:
    """Read to hand to the consumers, not to change: not in the session."""
    return [detached(Event, row) for row in _UNDELIVERED[locked].rows(session, {"tenant": tenant})]


def _deliver_batch(
    session: Session, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    """Events another job holds right now are left to it (`SKIP LOCKED`)."""
    events = _pending(session, tenant, locked=True)
    if not events:
        return 0
    pairs = [(e, c) for e in events for c in consumers if e.type in c.event_types]
    claimed = _claim(session, tenant, pairs, now)
    for event, consumer in pairs:
        if (event.id, consumer.name) in claimed:  # else this consumer already acted on it
            consumer.handle(session, event, now)
    _mark_delivered(session, tenant, [e.id for e in events], now)
    return len(events)


def _deliver_singly(
    database: Database, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    delivered = 0
    with database.transaction() as session:
        pending = [(e.id, e.type) for e in _pending(session, tenant, locked=False)]
    for event_id, type_ in pending:
        for consumer in consumers:
            if type_ in consumer.event_types:
                with database.transaction() as session:
                    event = session.get_one(Event, (tenant, event_id))
                    if _claim(session, tenant, [(event, consumer)], now):
                        consumer.handle(session, event, now)
        with database.transaction() as session:
            _mark_delivered(session, tenant, [event_id], now)
        delivered += 1
    return delivered


_MARK_DELIVERED = Direct(
    update(Event)
    .where(
        Event.tenant == bindparam("tenant", type_=Uuid),
        Event.id == any_(bindparam("ids", type_=ARRAY(Uuid))),
    )
    .values(delivered_at=bindparam("now", type_=Event.__table__.c.delivered_at.type))
)


def _mark_delivered(
    session: Session, tenant: uuid.UUID, ids: list[uuid.UUID], now: datetime
) -> None:
    """Sent with the COMMIT (deferred): nothing reads it in the transaction."""
    _MARK_DELIVERED.defer(session, {"tenant": tenant, "ids": ids, "now": now})


def _claim(
    session: Session, tenant: uuid.UUID, pairs: list[tuple[Event, Consumer]], now: datetime
) -> set[tuple[uuid.UUID, str]]:
    """Record each (event, consumer) as handled; those recorded before are not returned."""
    if not pairs:
        return set()
    values = {
        "tenant": tenant, "now": now, "ids": [uuid.uuid4() for _ in pairs],
        "event_ids": [e.id for e, _ in pairs], "consumers": [c.name for _, c in pairs],
    }  # fmt: skip
    return {(event_id, consumer) for event_id, consumer in _CLAIM.rows(session, values)}


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
