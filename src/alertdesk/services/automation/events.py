"""The event outbox: events are written in the same transaction as the change they describe;
the same statement notifies the job worker, which queues their delivery once they commit
(outbox.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, cast, func, insert, select
from sqlalchemy.orm import Session

from alertdesk.services.automation.outbox import CHANNEL
from alertdesk.storage.direct import Direct
from alertdesk.storage.models import Alert, Event

RMM_ALERT_TRIGGERED = "RMM_ALERT_TRIGGERED"
RMM_ALERT_RESOLVED = "RMM_ALERT_RESOLVED"
TICKET_CREATED = "TICKET_CREATED"
TICKET_CLOSED = "TICKET_CLOSED"


# the event's INSERT and the notice to the worker, one statement built once
_COLUMNS = ("tenant", "id", "type", "payload", "created_at", "delivered_at")
_WRITTEN = (
    insert(Event)
    .values({c: bindparam(c, type_=Event.__table__.c[c].type) for c in _COLUMNS})
    .returning(Event.tenant)
    .cte("written")
)
_PUBLISH = Direct(select(func.pg_notify(CHANNEL, cast(_WRITTEN.c.tenant, String))))


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def publish(
    session: Session, tenant: uuid.UUID, type_: str, payload: Mapping[str, Any], now: datetime
) -> uuid.UUID:
    """Write an event and notify the worker (PostgreSQL sends it at commit, once per tenant
    and transaction), in one statement; None values are left out of the payload. The new
    event's id."""
    event_id = uuid.uuid4()
    values = {"tenant": tenant, "id": event_id, "type": type_, "created_at": now,
              "payload": {k: _json(v) for k, v in payload.items() if v is not None},
              "delivered_at": None}  # fmt: skip
    _PUBLISH.defer(session, values)
    return event_id


def alert_payload(provider: str, alert: Alert) -> dict[str, Any]:
    """The RMM_ALERT_TRIGGERED / RMM_ALERT_RESOLVED payload (API.md): provider-generic, with
    triggered_at or resolved_at; `publish` leaves unknown (None) fields out."""
    payload: dict[str, Any] = {
        "tenant": alert.tenant,
        "integration_id": alert.integration_id,
        "provider": provider,
        "alert_id": alert.id,
        "external_alert_id": alert.external_alert_id,
        "severity": alert.severity,
        "device_id": alert.external_device_id,
        "device_name": alert.device_name,
        "asset_id": alert.asset_id,
        "client_id": alert.client_id,
        "ticket_id": alert.ticket_id,
        "message": alert.message,
        "source_type": alert.source_type,
        "alert_class": alert.alert_class,
    }
    if alert.resolved_at is None:
        payload["triggered_at"] = alert.triggered_at
    else:
        payload["resolved_at"] = alert.resolved_at
    return payload


def list_events(
    session: Session, tenant: uuid.UUID, type_: str | None = None, limit: int = 100
) -> list[Event]:
    query = select(Event).where(Event.tenant == tenant)
    if type_:
        query = query.where(Event.type == type_)
    return list(session.scalars(query.order_by(Event.created_at.desc()).limit(limit)))
