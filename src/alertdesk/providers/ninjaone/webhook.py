"""NinjaOne webhook deliveries (Activity objects) → AlertEvent, built on the real captures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from alertdesk.core.types import AlertEvent, EventKind
from alertdesk.providers.base import BadPayload, Ignored, WebhookContext
from alertdesk.providers.ninjaone.summary import summarize
from alertdesk.providers.parsing import (
    as_severity,
    parse_json,
    parse_time,
    require_object,
    text_or_none,
)

KINDS: dict[str, EventKind] = {
    "TRIGGERED": "triggered",
    "RESET": "reset",
    "ACKNOWLEDGED": "acknowledged",
}


def _dig(payload: Mapping[str, Any], *path: str) -> Any:
    value: Any = payload
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def condition_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """What an Activity (webhook) and an Alert (GET /v2/alerts) say alike about a condition:
    the same identity on both, so a polled alert matches its webhook's."""
    code = text_or_none(_dig(item, "data", "message", "code"))
    source_name = text_or_none(item.get("sourceName"))
    return {
        "condition_identity": text_or_none(item.get("sourceConfigUid")) or code or source_name,
        "activity_type": "CONDITION",
        "alert_class": code or source_name,
        "source_type": text_or_none(item.get("sourceType")) or "condition",
        "message": text_or_none(item.get("message")) or code,
    }


def _organization(payload: dict[str, Any]) -> str | None:
    return text_or_none(_dig(payload, "device", "organizationId")) or text_or_none(
        _dig(payload, "device", "references", "organization", "id")
    )


class NinjaOneWebhook:
    def parse(self, body: bytes) -> Any:
        return parse_json(body)

    def normalize(self, payload: Any, ctx: WebhookContext) -> AlertEvent | Ignored:
        activity = require_object(payload)
        activity_type = str(activity.get("activityType") or activity.get("type") or "")
        if activity_type.upper() != "CONDITION":
            return Ignored(f"not a condition activity ({activity_type or 'no type'})")
        status_code = str(activity.get("statusCode") or "").upper()
        kind = KINDS.get(status_code)
        if kind is None:
            return Ignored(f"condition status {status_code or 'missing'} is not handled")
        series = text_or_none(activity.get("seriesUid"))
        alert_id = series or text_or_none(activity.get("id"))
        if alert_id is None:
            raise BadPayload("missing required field: seriesUid (or id)")
        device = activity.get("device")
        device = device if isinstance(device, dict) else {}
        event = AlertEvent(
            tenant=ctx.tenant,
            integration_id=ctx.integration_id,
            provider="ninjaone",
            kind=kind,
            external_alert_id=alert_id,
            external_alert_uid=series,
            occurred_at=parse_time(activity.get("activityTime"), ctx.now),
            severity=as_severity(activity.get("severity")) or ctx.default_severity,
            external_device_id=text_or_none(activity.get("deviceId"))
            or text_or_none(_dig(activity, "device", "id")),
            device_name=text_or_none(device.get("displayName"))
            or text_or_none(device.get("systemName")),
            external_org_id=_organization(activity),
            raw=activity,
            **condition_fields(activity),
        )
        return replace(event, summary=summarize(event))
