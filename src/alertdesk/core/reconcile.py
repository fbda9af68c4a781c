"""Reconciliation: what a poll of the vendor's active alerts means for the alerts we hold.
An alert is the same on both sides when its vendor id matches, or else its dedup key (one
condition on one device is active at most once at the vendor)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from alertdesk.core.dedup import dedup_key
from alertdesk.core.types import AlertEvent

HELD = ("active", "acknowledged", "suppressed")  # what we consider still firing


@dataclass(frozen=True)
class HeldAlert:
    """A local alert still firing: enough to match it and to synthesize its reset."""

    id: uuid.UUID
    external_alert_id: str
    dedup_key: str
    status: str
    external_org_id: str | None = None


@dataclass
class Reconciliation:
    new: list[AlertEvent] = field(default_factory=list)  # firing at the vendor, unknown here
    reprocess: list[AlertEvent] = field(default_factory=list)  # suppressed here, still firing
    gone: list[AlertEvent] = field(default_factory=list)  # resets: held here, not there
    known: int = 0  # firing on both sides: nothing to do


@dataclass(frozen=True)
class Source:
    tenant: uuid.UUID
    integration_id: uuid.UUID
    provider: str


def reconcile(
    source: Source, fetched: Sequence[AlertEvent], held: Sequence[HeldAlert], now: datetime
) -> Reconciliation:
    by_id = {a.external_alert_id: a for a in held}
    by_key = {a.dedup_key: a for a in held}
    result = Reconciliation()
    seen: set[uuid.UUID] = set()
    for event in fetched:
        match = by_id.get(event.external_alert_id) or by_key.get(dedup_key(event))
        if match is None:
            result.new.append(event)
            continue
        seen.add(match.id)
        if match.status == "suppressed":  # judged again, against the windows of now
            result.reprocess.append(replace(event, external_alert_id=match.external_alert_id))
        else:
            result.known += 1
    result.gone = [_reset_of(source, a, now) for a in held if a.id not in seen]
    return result


def _reset_of(source: Source, alert: HeldAlert, now: datetime) -> AlertEvent:
    """A reset the vendor never sent, with the alert's own dedup key (so it locks the same
    condition as a webhook of that alert would)."""
    device, _, condition = alert.dedup_key.partition("|")
    return AlertEvent(
        tenant=source.tenant,
        integration_id=source.integration_id,
        provider=source.provider,
        kind="reset",
        external_alert_id=alert.external_alert_id,
        occurred_at=now,
        external_device_id=None if device == "no-device" else device,
        condition_identity=condition,
        external_org_id=alert.external_org_id,
        raw={"reason": "no_longer_active_in_rmm"},
    )
