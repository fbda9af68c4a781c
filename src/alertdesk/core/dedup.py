"""The dedup key: repeat firings of one condition on one device share it."""

from __future__ import annotations

from alertdesk.core.types import AlertEvent

MAX_LENGTH = 255


def dedup_key(event: AlertEvent) -> str:
    """`<device or no-device>|<condition>`; the condition is the first known identity."""
    device = event.external_device_id or "no-device"
    condition = (
        event.condition_identity
        or event.alert_class
        or event.activity_type
        or event.source_type
        or "unknown"
    )
    return f"{device}|{condition}"[:MAX_LENGTH]
