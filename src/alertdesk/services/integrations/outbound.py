"""Ticket closed by a person → reset its still-active alerts at the vendor (unless the rule
opted out). Failures are stamped on the alert for a later retry and never undo the close."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from alertdesk.core.rules import RuleActions
from alertdesk.providers.base import AlertRef, OutboundAdapter, OutboundError
from alertdesk.storage.models import Alert, AlertRule, Integration

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResetResult:
    alert_id: uuid.UUID
    result: Literal["reset", "failed", "opted_out", "no_adapter"]
    error: str | None = None


def reset_alerts_for_ticket(
    session: Session,
    tenant: uuid.UUID,
    ticket_id: uuid.UUID,
    adapters: Mapping[str, OutboundAdapter],
    now: datetime,
) -> list[ResetResult]:
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
            Alert.status.in_(("active", "acknowledged")),
        )
        .order_by(Alert.created_at)
    ).all()
    results = []
    for alert, provider, instance_url, actions in rows:
        if not _wants_reset(actions):
            results.append(ResetResult(alert.id, "opted_out"))
            continue
        adapter = adapters.get(provider)
        if adapter is None:
            results.append(ResetResult(alert.id, "no_adapter"))
            continue
        ref = AlertRef(provider, instance_url, alert.external_alert_id, alert.external_alert_uid)
        results.append(_reset_one(adapter, ref, alert, now))
    session.flush()
    return results


def _wants_reset(raw_actions: Mapping[str, object] | None) -> bool:
    """Manual links, deleted rules and unreadable actions reset (the default); else the flag."""
    if raw_actions is None:
        return True
    try:
        return RuleActions.model_validate(raw_actions).reset_alert_on_ticket_close
    except ValidationError:
        return True


def _reset_one(adapter: OutboundAdapter, ref: AlertRef, alert: Alert, now: datetime) -> ResetResult:
    try:
        adapter.reset_alert(ref)
    except OutboundError as exc:
        log.warning("outbound reset of alert %s failed: %s", alert.id, exc)
        alert.decision = {
            **alert.decision,
            "outbound_reset": {"error": str(exc), "failed_at": now.isoformat()},
        }
        alert.updated_at = now
        return ResetResult(alert.id, "failed", str(exc))
    alert.status, alert.resolved_at, alert.updated_at = "resolved", now, now
    alert.decision = {**alert.decision, "outbound_reset": {"reset_at": now.isoformat()}}
    return ResetResult(alert.id, "reset")
