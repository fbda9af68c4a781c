"""Ticket closed by a person → reset its still-active alerts at the vendor (unless the rule
opted out). The TICKET_CLOSED consumer marks them `pending` and queues the reset job; the job
reads, calls the vendors with no transaction open and stamps the results in a new one.
Failures are stamped on the alert (`failed`, retried by the job) and never undo the close."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from alertdesk.core.dedup import lock_keys
from alertdesk.core.rules import RuleActions
from alertdesk.errors import AlertdeskError
from alertdesk.providers import get_provider
from alertdesk.providers.base import AlertRef, OutboundAdapter, OutboundError
from alertdesk.storage.alert_queries import lock_alert_keys
from alertdesk.storage.database import Database
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Alert, AlertRule, Event, Integration

log = logging.getLogger(__name__)
OPEN = ("active", "acknowledged")
FINAL = ("done", "opted_out", "not_supported")  # outbound statuses never sent again
RESET_TASK = "reset_ticket_alerts"
STATUS_OF = {  # a reset's result → the alert's outbound_status
    "reset": "done",
    "failed": "failed",
    "opted_out": "opted_out",
    "no_adapter": "not_supported",
}


@dataclass(frozen=True)
class ResetResult:
    alert_id: uuid.UUID
    result: Literal["reset", "failed", "opted_out", "no_adapter"]
    error: str | None = None


@dataclass(frozen=True)
class PlannedReset:
    alert_id: uuid.UUID
    ref: AlertRef


def reset_alerts_for_ticket(
    database: Database,
    tenant: uuid.UUID,
    ticket_id: uuid.UUID,
    adapters: Mapping[str, OutboundAdapter],
    now: datetime,
) -> list[ResetResult]:
    """`adapters` by provider (one integration per provider and tenant), e.g. IntegrationClients."""
    with database.transaction() as session:
        forget_settled(session, tenant, ticket_id)
        planned = plan_resets(session, tenant, ticket_id)
    results = send_resets(planned, adapters)
    with database.transaction() as session:
        record_resets(session, tenant, results, now)
    return results


def plan_resets(
    session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID
) -> list[PlannedReset | ResetResult]:
    """The ticket's open alerts in order: what to reset, or why not (the rule opted out)."""
    rows = session.execute(
        select(Alert, Integration.provider, Integration.instance_url, AlertRule.actions)
        .join(
            Integration, and_(Integration.tenant == tenant, Integration.id == Alert.integration_id)
        )
        .outerjoin(
            AlertRule, and_(AlertRule.tenant == tenant, AlertRule.id == Alert.matched_rule_id)
        )
        .where(
            Alert.tenant == tenant,
            Alert.ticket_id == ticket_id,
            Alert.status.in_(OPEN),
            Alert.outbound_status.is_(None) | Alert.outbound_status.not_in(FINAL),
        )
        .order_by(Alert.created_at)
    ).all()
    return [_plan(alert, provider, url, actions) for alert, provider, url, actions in rows]


def _plan(
    alert: Alert, provider: str, url: str | None, actions: Mapping[str, object] | None
) -> PlannedReset | ResetResult:
    if not _wants_reset(actions):
        return ResetResult(alert.id, "opted_out")
    spec = get_provider(provider)
    if spec is None or not spec.outbound:
        return ResetResult(alert.id, "no_adapter")
    ref = AlertRef(
        provider, url, alert.external_alert_id, alert.external_alert_uid,
        alert.external_device_id, alert.dedup_key.partition("|")[2],
    )  # fmt: skip
    return PlannedReset(alert.id, ref)


def forget_settled(session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID) -> None:
    """Alerts resolved meanwhile (the vendor's own reset came first) need no reset any more."""
    session.execute(
        update(Alert)
        .where(
            Alert.tenant == tenant,
            Alert.ticket_id == ticket_id,
            Alert.status.not_in(OPEN),
            Alert.outbound_status.in_(("pending", "failed")),
        )
        .values(outbound_status=None, outbound_error=None, outbound_at=None)
    )


def send_resets(
    planned: Sequence[PlannedReset | ResetResult], adapters: Mapping[str, OutboundAdapter]
) -> list[ResetResult]:
    """The vendor calls (no session, no transaction): one result per planned alert, in order."""
    results = []
    for item in planned:
        if isinstance(item, ResetResult):
            results.append(item)
            continue
        adapter = adapters.get(item.ref.provider)
        if adapter is None:  # disconnected since the close: tried again until it is back
            results.append(ResetResult(item.alert_id, "failed", "the integration is not connected"))
            continue
        try:
            adapter.reset_alert(item.ref)
        except (OutboundError, AlertdeskError) as exc:  # e.g. disconnected meanwhile
            log.warning("outbound reset of alert %s failed: %s", item.alert_id, exc)
            results.append(ResetResult(item.alert_id, "failed", str(exc)))
            continue
        results.append(ResetResult(item.alert_id, "reset"))
    return results


def _wants_reset(raw_actions: Mapping[str, object] | None) -> bool:
    """Manual links, deleted rules and unreadable actions reset (the default); else the flag."""
    if raw_actions is None:
        return True
    try:
        return RuleActions.model_validate(raw_actions).reset_alert_on_ticket_close
    except ValidationError:
        return True


def _lock_keys_of(session: Session, tenant: uuid.UUID, alert_ids: list[uuid.UUID]) -> None:
    """The alerts' lock rows, as the pipeline takes them (integration by integration, keys
    sorted), so a webhook of the same alert waits for this write or this one for it."""
    rows = session.execute(
        select(
            Alert.integration_id, Alert.external_alert_id, Alert.external_org_id, Alert.dedup_key
        ).where(Alert.tenant == tenant, Alert.id.in_(alert_ids))
    )
    keys: dict[uuid.UUID, list[str]] = defaultdict(list)
    for integration_id, external_id, org, dedup in rows:
        keys[integration_id] += lock_keys(org, dedup, external_id)
    for integration_id in sorted(keys):
        lock_alert_keys(session, tenant, integration_id, keys[integration_id])


def record_resets(
    session: Session, tenant: uuid.UUID, results: Sequence[ResetResult], now: datetime
) -> None:
    """Stamp what the vendors answered, on alerts re-read under lock (they may have moved on)."""
    stamped = {r.alert_id: r for r in results}
    if not stamped:
        return
    _lock_keys_of(session, tenant, list(stamped))
    alerts = session.scalars(
        select(Alert)
        .where(Alert.tenant == tenant, Alert.id.in_(stamped))
        .execution_options(populate_existing=True)  # as committed by whoever held the locks
    )
    for alert in alerts:
        result = stamped[alert.id]
        alert.outbound_status, alert.outbound_error = STATUS_OF[result.result], result.error
        alert.outbound_at = alert.updated_at = now
        if result.result == "reset" and alert.status in OPEN:
            alert.status, alert.resolved_at = "resolved", now
    session.flush()


def on_ticket_closed(session: Session, event: Event, now: datetime) -> None:
    """The TICKET_CLOSED consumer: a person's close marks the ticket's open alerts `pending`
    and queues the reset job; the pipeline's own auto-close resets nothing."""
    if event.payload.get("actor_kind") != "user":
        return
    ticket_id = uuid.UUID(event.payload["ticket_id"])
    planned = plan_resets(session, event.tenant, ticket_id)
    record_resets(session, event.tenant, [p for p in planned if isinstance(p, ResetResult)], now)
    pending = [p.alert_id for p in planned if isinstance(p, PlannedReset)]
    if not pending:
        return
    session.execute(
        update(Alert)
        .where(Alert.tenant == event.tenant, Alert.id.in_(pending), Alert.status.in_(OPEN))
        .values(outbound_status="pending", outbound_error=None, outbound_at=None)
    )
    args = {"tenant": str(event.tenant), "ticket_id": str(ticket_id)}
    defer(session, RESET_TASK, args, queueing_lock=f"reset:{ticket_id}")
