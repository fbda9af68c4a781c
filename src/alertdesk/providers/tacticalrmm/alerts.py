"""Tactical RMM's unresolved alerts (PATCH /alerts/ items) → triggered AlertEvents for
reconciliation, with the webhook's identity (alert id; condition = the check's or task's id,
as our URL Action sends it; client id looked up by the client's name)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import WebhookContext
from alertdesk.providers.parsing import parse_time, text_or_none
from alertdesk.providers.tacticalrmm.summary import summarize
from alertdesk.providers.tacticalrmm.webhook import severity_of


def alert_events(
    items: Sequence[Any], client_ids: Mapping[str, str], ctx: WebhookContext
) -> list[AlertEvent]:
    """One triggered event per unresolved item with an id."""
    events = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("resolved") is True:
            continue
        alert_id = text_or_none(item.get("id"))
        if alert_id is None:
            continue
        alert_type = text_or_none(item.get("alert_type"))
        client = text_or_none(item.get("client"))
        event = AlertEvent(
            tenant=ctx.tenant,
            integration_id=ctx.integration_id,
            provider="tacticalrmm",
            kind="triggered",
            external_alert_id=alert_id,
            occurred_at=parse_time(item.get("alert_time"), ctx.now),
            severity=severity_of(text_or_none(item.get("severity")), ctx.default_severity),
            external_device_id=text_or_none(item.get("agent_id")),
            condition_identity=text_or_none(item.get("assigned_check"))
            or text_or_none(item.get("assigned_task"))
            or alert_type,
            activity_type=alert_type,
            alert_class=alert_type,
            source_type="tacticalrmm",
            message=text_or_none(item.get("message")),
            device_name=text_or_none(item.get("hostname")),
            external_org_id=client_ids.get(client or ""),
            raw=dict(item),
        )
        events.append(replace(event, summary=summarize(event)))
    return events
