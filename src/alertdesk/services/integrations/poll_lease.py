"""One poll cycle per integration at a time: a lease on its row (no advisory lock: it holds on
every Citus node), taken before the vendor is called and given back after; a cycle that died
holds it no longer than LEASE. And how a cycle's result is stamped on the integration."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, NotFound
from alertdesk.storage.models import Integration

LEASE = timedelta(minutes=10)


def take_lease(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, now: datetime
) -> Integration:
    integration: Integration | None = session.scalar(
        update(Integration)
        .where(
            Integration.tenant == tenant,
            Integration.id == integration_id,
            Integration.is_active,
            or_(Integration.poll_lease_until.is_(None), Integration.poll_lease_until < now),
        )
        .values(poll_lease_until=now + LEASE)
        .returning(Integration)
    )
    if integration is not None:
        return integration
    exists = session.scalar(
        select(Integration.is_active).where(
            Integration.tenant == tenant, Integration.id == integration_id
        )
    )
    if exists is None:
        raise NotFound("No such integration.")
    if not exists:
        raise Conflict("This integration is not connected.")
    raise Conflict("A poll of this integration is already running; try again in a moment.")


def release_lease(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, taken: Integration
) -> None:
    """Give back the lease `take_lease` returned, unless it ran out and another cycle holds
    it now (that cycle's lease is not ours to end)."""
    session.execute(
        update(Integration)
        .where(
            Integration.tenant == tenant,
            Integration.id == integration_id,
            Integration.poll_lease_until == taken.poll_lease_until,
        )
        .values(poll_lease_until=None)
    )


def stamp_poll(
    session: Session,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    now: datetime,
    error: str | None,
    mark_error: bool = False,
) -> None:
    """`last_poll_at` is the last attempt (the schedule counts from it, so a failing vendor
    is not asked every minute). A good poll clears the error; a failure that needs someone
    (refused credentials, an incident that cannot be processed) marks the integration
    `error` with the reason; a passing one (429, 5xx, timeout) keeps the reason only."""
    values: dict[str, object] = {"sync_error": error, "last_poll_at": now}  # the last attempt
    if error is None:
        values["sync_status"] = "ok"
    elif mark_error:
        values["sync_status"] = "error"
    session.execute(
        update(Integration)
        .where(Integration.tenant == tenant, Integration.id == integration_id)
        .values(**values)
    )
