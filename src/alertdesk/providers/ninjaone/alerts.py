"""NinjaOne's active alerts (GET /v2/alerts items) → triggered AlertEvents for reconciliation,
with the same identity as the webhook's (uid = seriesUid, condition = sourceConfigUid)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import WebhookContext
from alertdesk.providers.ninjaone.summary import summarize
from alertdesk.providers.ninjaone.webhook import condition_fields
from alertdesk.providers.parsing import as_severity, parse_time, text_or_none


def alert_events(
    items: Sequence[Any], devices: Mapping[str, Mapping[str, Any]], ctx: WebhookContext
) -> list[AlertEvent]:
    """One triggered event per item with a uid; `devices` by id give organization and name."""
    events = []
    for item in items:
        uid = text_or_none(item.get("uid")) if isinstance(item, Mapping) else None
        if uid is None:
            continue
        device_id = text_or_none(item.get("deviceId"))
        device = devices.get(device_id or "", {})
        event = AlertEvent(
            tenant=ctx.tenant,
            integration_id=ctx.integration_id,
            provider="ninjaone",
            kind="triggered",
            external_alert_id=uid,
            external_alert_uid=uid,
            occurred_at=parse_time(item.get("createTime"), ctx.now),
            severity=as_severity(item.get("severity")) or ctx.default_severity,
            external_device_id=device_id,
            device_name=text_or_none(device.get("displayName"))
            or text_or_none(device.get("systemName")),
            external_org_id=text_or_none(device.get("organizationId")),
            raw=dict(item),
            **condition_fields(item),
        )
        events.append(replace(event, summary=summarize(event)))
    return events
