"""The webhook inbox in bulk: delivery lists (never the bodies), what to retry, and retention."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from alertdesk.services.integrations.inbound import PENDING, STALE_RECEIVED
from alertdesk.storage.models import InboundEvent

PRUNE_BATCH = 1000


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery as lists show it: every column but the body, whose size the database counts."""

    id: uuid.UUID
    received_at: datetime
    status: str
    auth_method: str
    content_type: str | None
    attempts: int
    outcome: dict[str, Any]
    error: str | None
    processed_at: datetime | None
    size: int


_COLUMNS = [getattr(InboundEvent, f.name) for f in fields(DeliveryRow) if f.name != "size"]


def list_recent(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, limit: int
) -> list[DeliveryRow]:
    query = (
        select(*_COLUMNS, func.octet_length(InboundEvent.body).label("size"))
        .where(InboundEvent.tenant == tenant, InboundEvent.integration_id == integration_id)
        .order_by(InboundEvent.received_at.desc())
        .limit(limit)
    )
    return [DeliveryRow(**row._asdict()) for row in session.execute(query)]


def retry_candidates(
    session: Session,
    tenant: uuid.UUID | None,
    integration_id: uuid.UUID | None,
    now: datetime,
    limit: int,
    backoff: bool = False,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant, id) of the failed deliveries and of those stored but left unprocessed for
    longer than STALE_RECEIVED (the process died), oldest first; `tenant` None: every tenant.
    With `backoff` (the worker), a failed one waits 15 s * 2^(attempts - 1) after its last try."""
    failed = InboundEvent.status == "failed"
    if backoff:
        wait = func.make_interval(0, 0, 0, 0, 0, 0, 15 * func.power(2, InboundEvent.attempts - 1))
        failed &= InboundEvent.processed_at + wait <= now
    retry = failed | (
        (InboundEvent.status == "received") & (InboundEvent.received_at < now - STALE_RECEIVED)
    )
    query = select(InboundEvent.tenant, InboundEvent.id).where(retry)
    if tenant is not None:
        query = query.where(InboundEvent.tenant == tenant)
    if integration_id is not None:
        query = query.where(InboundEvent.integration_id == integration_id)
    rows = session.execute(query.order_by(InboundEvent.received_at).limit(limit))
    return [(row_tenant, row_id) for row_tenant, row_id in rows]


def prune_deliveries(
    session: Session, tenant: uuid.UUID, now: datetime, days: int, batch_size: int = PRUNE_BATCH
) -> int:
    """Delete one batch of the tenant's deliveries received more than `days` ago; returns how
    many went. Deliveries still to be processed (received, failed) are always kept."""
    old = (  # a CTE runs once: the batch is exactly these rows, oldest first
        select(InboundEvent.id)
        .where(
            InboundEvent.tenant == tenant,
            InboundEvent.received_at < now - timedelta(days=days),
            InboundEvent.status.not_in(PENDING),
        )
        .order_by(InboundEvent.received_at)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
        .cte("old")
    )
    removed = session.scalars(
        delete(InboundEvent)
        .where(InboundEvent.tenant == tenant, InboundEvent.id.in_(select(old.c.id)))
        .returning(InboundEvent.id)
        .execution_options(synchronize_session=False)
    )
    return len(removed.all())
