"""The webhook inbox: record an authenticated delivery, process it, retry the failed ones.

Recording and processing run in separate transactions (the web edge owns them), so a
delivery that fails to process is kept and can be replayed; nothing is lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from alertdesk.core.types import AlertEvent, Severity
from alertdesk.errors import Conflict
from alertdesk.providers.base import BadPayload, Ignored, WebhookContext
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.services.integrations.connect import parse_settings, provider_of
from alertdesk.services.lookup import get_owned
from alertdesk.storage.models import Alert, InboundEvent, Integration

MAX_ID = 255
MAX_ATTEMPTS = 10  # then the delivery is "dead": kept for inspection, no longer retried
# stored but never processed (the process died): processing takes milliseconds, so a
# delivery still "received" after this long is picked up by the next retry run
STALE_RECEIVED = timedelta(seconds=30)


@dataclass(frozen=True)
class Delivery:
    """How a processed delivery is answered: an HTTP status and the JSON body."""

    status_code: int
    body: dict[str, Any] = field(default_factory=dict)


def find_active_integration(
    session: Session, provider: str, integration_id: uuid.UUID
) -> Integration | None:
    """By id alone: the webhook URL carries no tenant (ids are random UUIDs)."""
    return session.scalar(
        select(Integration).where(
            Integration.id == integration_id,
            Integration.provider == provider,
            Integration.is_active,
        )
    )


def record(
    session: Session,
    integration: Integration,
    body: bytes,
    content_type: str | None,
    auth_method: str,
    now: datetime,
) -> InboundEvent:
    event = InboundEvent(
        tenant=integration.tenant,
        id=uuid.uuid4(),
        integration_id=integration.id,
        provider=integration.provider,
        received_at=now,
        body=body,
        created_at=now,
        content_type=(content_type or "")[:200] or None,
        auth_method=auth_method,
        status="received",
        outcome={},
        attempts=0,
    )
    session.add(event)
    session.flush()
    return event


def process(session: Session, tenant: uuid.UUID, inbound_id: uuid.UUID, now: datetime) -> Delivery:
    """Parse, normalize and run one stored delivery through the pipeline; mark its result."""
    inbound = get_owned(session, InboundEvent, tenant, inbound_id)
    integration = get_owned(session, Integration, tenant, inbound.integration_id)
    source = provider_of(integration).webhook
    if source is None:
        raise Conflict(f"{integration.provider} does not take webhooks.")
    inbound.attempts += 1
    severity: Severity = parse_settings(integration.settings).default_severity
    ctx = WebhookContext(tenant, integration.id, severity, inbound.received_at)
    try:
        result = _checked(source.normalize(source.parse(inbound.body), ctx))
    except BadPayload as exc:
        return _mark(inbound, "rejected", Delivery(400, {"detail": str(exc)}), now, str(exc))
    if isinstance(result, Ignored):
        body = {"processed": False, "reason": result.reason}
        return _mark(inbound, "ignored", Delivery(200, body), now)
    outcome = process_alert_event(session, result, now, ingest_source="webhook")
    body = {
        "processed": True,
        "outcome": outcome.outcome,
        "alert_id": str(outcome.alert_id) if outcome.alert_id else None,
        "ticket_id": str(outcome.ticket_id) if outcome.ticket_id else None,
    }
    if outcome.outcome == "recorded_only" and _unmapped(session, tenant, outcome.alert_id):
        body = {
            "processed": False,
            "reason": "organization not mapped to a client",
            "alert_id": body["alert_id"],
        }
    if outcome.warnings:
        body["warnings"] = list(outcome.warnings)
    return _mark(inbound, "processed", Delivery(200, body), now)


def _checked(result: AlertEvent | Ignored) -> AlertEvent | Ignored:
    if isinstance(result, AlertEvent) and len(result.external_alert_id) > MAX_ID:
        raise BadPayload(f"alert id longer than {MAX_ID} characters")
    return result


def _unmapped(session: Session, tenant: uuid.UUID, alert_id: uuid.UUID | None) -> bool:
    client = session.scalar(
        select(Alert.client_id).where(Alert.tenant == tenant, Alert.id == alert_id)
    )
    return client is None


def _mark(
    inbound: InboundEvent, status: str, delivery: Delivery, now: datetime, error: str | None = None
) -> Delivery:
    inbound.status, inbound.error, inbound.processed_at = status, error, now
    inbound.outcome = {"status_code": delivery.status_code, **delivery.body}
    return delivery


def mark_unstorable(
    session: Session, tenant: uuid.UUID, inbound_id: uuid.UUID, exc: DataError, now: datetime
) -> Delivery:
    """The database refused a value of this delivery: rejected (400) at once, never retried."""
    inbound = get_owned(session, InboundEvent, tenant, inbound_id)
    lines = str(exc.orig or exc).strip().splitlines()
    reason = f"the delivery holds a value that cannot be stored: {lines[0][:200] if lines else ''}"
    inbound.attempts += 1
    delivery = _mark(inbound, "rejected", Delivery(400, {"detail": reason}), now, reason)
    session.flush()
    return delivery


def mark_failed(
    session: Session, tenant: uuid.UUID, inbound_id: uuid.UUID, error: str, now: datetime
) -> None:
    """Processing raised: keep the delivery as `failed` for the retry (its attempt counted)."""
    inbound = get_owned(session, InboundEvent, tenant, inbound_id)
    inbound.attempts += 1
    inbound.status = "failed" if inbound.attempts < MAX_ATTEMPTS else "dead"
    inbound.error, inbound.processed_at = error[:2000], now
    session.flush()


def list_recent(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, limit: int
) -> list[InboundEvent]:
    return list(
        session.scalars(
            select(InboundEvent)
            .where(InboundEvent.tenant == tenant, InboundEvent.integration_id == integration_id)
            .order_by(InboundEvent.received_at.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class ReplayResult:
    attempted: int
    processed: int
    still_failing: int


def replay_failed(
    session: Session,
    tenant: uuid.UUID | None,
    now: datetime,
    integration_id: uuid.UUID | None = None,
    limit: int = 500,
) -> ReplayResult:
    """Process failed (and long-stuck received) deliveries again, oldest first, each in its
    own savepoint; after MAX_ATTEMPTS a delivery is marked dead and left alone.

    `tenant` None replays for every tenant (the CLI, run by the operator).
    """
    retry = (InboundEvent.status == "failed") | (
        (InboundEvent.status == "received") & (InboundEvent.received_at < now - STALE_RECEIVED)
    )
    query = select(InboundEvent.tenant, InboundEvent.id).where(retry)
    if tenant is not None:
        query = query.where(InboundEvent.tenant == tenant)
    if integration_id is not None:
        query = query.where(InboundEvent.integration_id == integration_id)
    rows = list(session.execute(query.order_by(InboundEvent.received_at).limit(limit)))
    processed = 0
    for row_tenant, inbound_id in rows:
        try:
            with session.begin_nested():
                process(session, row_tenant, inbound_id, now)
            processed += 1
        except DataError as exc:
            mark_unstorable(session, row_tenant, inbound_id, exc, now)
        except Exception as exc:  # recorded on the delivery; the next one still runs
            mark_failed(session, row_tenant, inbound_id, repr(exc), now)
    return ReplayResult(len(rows), processed, len(rows) - processed)
