"""Delivering the event outbox after commit. Publishing notifies CHANNEL with the tenant; the
job worker listens (jobs/outbox_listener.py) and delivers the notified tenants' events itself.
Nothing is queued inside the publishing transaction: a job row with a queueing lock would make
every publishing transaction of the tenant wait for the one before to commit. Events whose
notice was missed (no worker listening, a crash, a failed delivery) are queued as one
`deliver_events` job per tenant: when the listener connects, and by the sweep.

The job hands a batch of events to every consumer of their types in one transaction that also
marks them delivered, so a consumer acts once per event however often delivery is repeated.
When a consumer fails, the batch's events go one (event, consumer) at a time, each recorded in
`event_delivery` as it is handled: a later batch skips the pairs recorded there."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ARRAY, Uuid, any_, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from alertdesk.storage.database import Database
from alertdesk.storage.direct import Direct
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Event, EventDelivery
from alertdesk.storage.rows import columns_of, detached

DELIVER_TASK = "deliver_events"
CHANNEL = "alertdesk_outbox"  # LISTEN/NOTIFY channel; the payload is the tenant id
BATCH = 100
log = logging.getLogger(__name__)
STRAGGLER_AGE = timedelta(seconds=30)  # undelivered this long: its job was lost (a crash)


@dataclass(frozen=True)
class Consumer:
    """Acts on events of some types, inside the delivery's transaction: database work only —
    a consumer that must call a vendor queues a job of its own instead. `prepare`, when
    given, sees a batch's events of its types first (to read what they need at once)."""

    name: str
    event_types: frozenset[str]
    handle: Callable[[Session, Event, datetime], None]
    prepare: Callable[[Session, Sequence[Event], datetime], None] | None = None


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
    batch is rolled back and delivered again one (event, consumer) at a time, so the pairs
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


_DONE = (  # the consumers that acted on an event one at a time (after a failing batch)
    select(func.array_agg(EventDelivery.consumer))
    .where(EventDelivery.tenant == Event.tenant, EventDelivery.event_id == Event.id)
    .scalar_subquery()
)


def _undelivered(locked: bool) -> Direct:
    """The oldest undelivered events of a tenant (built once), each with the consumers done."""
    query = (
        select(*columns_of(Event), _DONE)
        .where(Event.tenant == bindparam("tenant", type_=Uuid), Event.delivered_at.is_(None))
        .order_by(Event.created_at, Event.id)
        .limit(BATCH)
    )
    return Direct(query.with_for_update(of=Event, skip_locked=True) if locked else query)


_UNDELIVERED = {locked: _undelivered(locked) for locked in (False, True)}
_COLUMNS = len(columns_of(Event))


def _pending(
    session: Session, tenant: uuid.UUID, locked: bool
) -> list[tuple[Event, frozenset[str]]]:
    """Read to hand to the consumers, not to change (not in the session), with the names of
    the consumers that already acted on each."""
    rows = _UNDELIVERED[locked].rows(session, {"tenant": tenant})
    return [(detached(Event, row[:_COLUMNS]), frozenset(row[_COLUMNS] or ())) for row in rows]


def _deliver_batch(
    session: Session, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    """Events another job holds right now are left to it (`SKIP LOCKED`). Nothing is recorded
    per pair: marking the events delivered in this transaction says they all acted."""
    pending = _pending(session, tenant, locked=True)
    handed = [
        (event, [c for c in consumers if event.type in c.event_types and c.name not in done])
        for event, done in pending
    ]
    for consumer in consumers:
        if consumer.prepare is not None:
            mine = [event for event, takers in handed if consumer in takers]
            if mine:
                consumer.prepare(session, mine, now)
    for event, takers in handed:
        for consumer in takers:
            consumer.handle(session, event, now)
    if pending:
        _mark_delivered(session, tenant, [event.id for event, _ in pending], now)
    return len(pending)


def _deliver_singly(
    database: Database, tenant: uuid.UUID, consumers: Sequence[Consumer], now: datetime
) -> int:
    delivered = 0
    with database.transaction() as session:
        pending = [(e.id, e.type) for e, _ in _pending(session, tenant, locked=False)]
    for event_id, type_ in pending:
        for consumer in consumers:
            if type_ in consumer.event_types:
                with database.transaction() as session:
                    event = _undelivered_locked(session, tenant, event_id)
                    if event is not None and _claim(session, tenant, event_id, consumer, now):
                        consumer.handle(session, event, now)
        with database.transaction() as session:
            _mark_delivered(session, tenant, [event_id], now)
        delivered += 1
    return delivered


def _undelivered_locked(session: Session, tenant: uuid.UUID, event_id: uuid.UUID) -> Event | None:
    """The event, locked as a batch locks it (so the two never hand it over at once); None once
    delivered."""
    return session.scalar(
        select(Event)
        .where(Event.tenant == tenant, Event.id == event_id, Event.delivered_at.is_(None))
        .with_for_update()
    )


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


_CLAIM = text(
    "INSERT INTO event_delivery (tenant, id, event_id, consumer, delivered_at)"
    " VALUES (:tenant, :id, :event_id, :consumer, :now)"
    " ON CONFLICT (tenant, event_id, consumer) DO NOTHING RETURNING id"
)


def _claim(
    session: Session, tenant: uuid.UUID, event_id: uuid.UUID, consumer: Consumer, now: datetime
) -> bool:
    """Record that the consumer handles the event; False when it did before."""
    values = {"tenant": tenant, "id": uuid.uuid4(), "event_id": event_id,
              "consumer": consumer.name, "now": now}  # fmt: skip
    return session.scalar(_CLAIM, values) is not None


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
