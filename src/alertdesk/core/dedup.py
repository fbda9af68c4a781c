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


def condition_lock_key(external_org_id: str | None, key: str) -> str:
    """The lock (and dedup pointer) key of a condition: its dedup key within one organization.

    The organization's length is spelled out, so no two (organization, key) pairs collide.
    """
    org = external_org_id or ""
    return f"condition:{len(org)}:{org}|{key}"


def alert_lock_key(external_alert_id: str) -> str:
    return f"alert:{external_alert_id}"


def lock_keys(external_org_id: str | None, key: str, external_alert_id: str) -> list[str]:
    """Every key a writer of this alert locks: its condition's (first) and its own."""
    return [condition_lock_key(external_org_id, key), alert_lock_key(external_alert_id)]
