"""The webhook inbox, one delivery at a time: record it, claim it, process it, mark a failure.

Recording and processing run in separate transactions (see `deliveries`), so a delivery that
fails to process is kept and can be replayed; nothing is lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, Uuid, bindparam, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, undefer

from alertdesk.core.types import AlertEvent, Severity
from alertdesk.errors import Conflict
from alertdesk.providers import get_provider
from alertdesk.providers.base import BadPayload, Ignored, WebhookContext
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.services.integrations.records import parse_settings, provider_of
from alertdesk.services.lookup import get_owned
from alertdesk.storage.database import read_once, refusal_reason
from alertdesk.storage.direct import Direct
from alertdesk.storage.models import Alert, InboundEvent, Integration, IntegrationRoute
from alertdesk.storage.rows import columns_of, detached, new_row

MAX_ID = 255
MAX_ATTEMPTS = 10  # then the delivery is "dead": kept for inspection, no longer retried
# stored but never processed (the process died): processing takes milliseconds, so a
# delivery still "received" after this long is picked up by the next retry run
STALE_RECEIVED = timedelta(seconds=30)
PENDING = ("received", "failed")  # still to be processed; any other status is final
MAX_ROUTES = 10_000
_ROUTES: dict[uuid.UUID, uuid.UUID] = {}  # integration id → its tenant (never changes)


@dataclass(frozen=True)
class Delivery:
    """How a processed delivery is answered: an HTTP status and the JSON body."""

    status_code: int
    body: dict[str, Any] = field(default_factory=dict)


_ACTIVE_INTEGRATION = Direct(  # built once: it runs for every delivery
    select(*columns_of(Integration)).where(
        Integration.tenant == bindparam("tenant", type_=Uuid),
        Integration.id == bindparam("integration_id", type_=Uuid),
        Integration.provider == bindparam("provider", type_=String),
        Integration.is_active,
    )
)


def find_active_integration(
    session: Session, provider: str, integration_id: uuid.UUID
) -> Integration | None:
    """The webhook URL carries only the id: its route (a reference table) names the tenant, so
    the integration is then read from that tenant's shard alone (one joining both would reach
    every shard on Citus). An integration never changes tenant: the route is remembered by the
    process, so a delivery costs one statement here, and the deliveries taken together in one
    transaction one in all (`read_once`). The integration is not in the session."""
    spec = get_provider(provider)
    if spec is None or spec.webhook is None:
        return None
    tenant = _ROUTES.get(integration_id)
    if tenant is None:
        tenant = session.scalar(
            select(IntegrationRoute.tenant).where(IntegrationRoute.integration_id == integration_id)
        )
        if tenant is None:
            return None
        if len(_ROUTES) >= MAX_ROUTES:
            _ROUTES.clear()
        _ROUTES[integration_id] = tenant

    def read() -> Integration | None:
        found = {"tenant": tenant, "integration_id": integration_id, "provider": provider}
        row = _ACTIVE_INTEGRATION.row(session, found)
        return None if row is None else detached(Integration, row)

    return read_once(session, "active_integrations", (provider, integration_id), read)


def received(
    integration: Integration,
    body: bytes,
    content_type: str | None,
    auth_method: str,
    now: datetime,
) -> InboundEvent:
    """A delivery as received, not stored yet."""
    return new_row(
        InboundEvent,
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


def claim(session: Session, tenant: uuid.UUID, inbound_id: uuid.UUID) -> InboundEvent | None:
    """Lock a delivery still to be processed for this transaction, body included.

    None when it is final by now or while another transaction holds it (`SKIP LOCKED`):
    two processes never work on the same delivery.
    """
    query = _pending(tenant, inbound_id).options(undefer(InboundEvent.body))
    return session.scalar(query.with_for_update(skip_locked=True))


def _wait_for(session: Session, tenant: uuid.UUID, inbound_id: uuid.UUID) -> InboundEvent | None:
    """Lock it once whoever holds it is done; None if that one finished it."""
    return session.scalar(_pending(tenant, inbound_id).with_for_update())


def _pending(tenant: uuid.UUID, inbound_id: uuid.UUID) -> Select[InboundEvent]:
    return (
        select(InboundEvent)
        .where(
            InboundEvent.tenant == tenant,
            InboundEvent.id == inbound_id,
            InboundEvent.status.in_(PENDING),
        )
        .execution_options(populate_existing=True)
    )


def process(
    session: Session, inbound: InboundEvent, now: datetime, integration: Integration | None = None
) -> Delivery:
    """Parse, normalize and run one claimed delivery through the pipeline; mark its result.
    `integration` is the delivery's, when the caller holds it already."""
    if integration is None:
        integration = get_owned(session, Integration, inbound.tenant, inbound.integration_id)
    source = provider_of(integration).webhook
    if source is None:
        raise Conflict(f"{integration.provider} does not take webhooks.")
    inbound.attempts += 1
    severity = _default_severity(session, integration)
    ctx = WebhookContext(inbound.tenant, integration.id, severity, inbound.received_at)
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
    if outcome.outcome == "recorded_only" and _unmapped(session, inbound.tenant, outcome.alert_id):
        body = {
            "processed": False,
            "reason": "organization not mapped to a client",
            "alert_id": body["alert_id"],
        }
    if outcome.warnings:
        body["warnings"] = list(outcome.warnings)
    return _mark(inbound, "processed", Delivery(200, body), now)


def _default_severity(session: Session, integration: Integration) -> Severity:
    """The integration's default severity, its settings validated once per transaction (the
    deliveries taken together share it)."""
    key = (integration.tenant, integration.id)
    return read_once(session, "default_severity", key,
                     lambda: parse_settings(integration.settings).default_severity)  # fmt: skip


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
) -> Delivery | None:
    """The database refused a value of this delivery: rejected (400) at once, never retried.

    None when another process has meanwhile finished the delivery (its result stands).
    """
    inbound = _wait_for(session, tenant, inbound_id)
    if inbound is None:
        return None
    inbound.attempts += 1
    delivery = set_unstorable(inbound, exc, now)
    session.flush()
    return delivery


def set_unstorable(inbound: InboundEvent, exc: DataError, now: datetime) -> Delivery:
    reason = f"the delivery holds a value that cannot be stored: {refusal_reason(exc)}"
    return _mark(inbound, "rejected", Delivery(400, {"detail": reason}), now, reason)


def mark_failed(
    session: Session, tenant: uuid.UUID, inbound_id: uuid.UUID, error: str, now: datetime
) -> None:
    """Processing raised: keep the delivery as `failed` for the retry (its attempt counted),
    unless another process has meanwhile finished it; `dead` after MAX_ATTEMPTS."""
    inbound = _wait_for(session, tenant, inbound_id)
    if inbound is None:
        return
    inbound.attempts += 1
    set_failed(inbound, error, now)
    session.flush()


def set_failed(inbound: InboundEvent, error: str, now: datetime) -> None:
    inbound.status = "failed" if inbound.attempts < MAX_ATTEMPTS else "dead"
    inbound.error, inbound.processed_at = error[:2000], now
