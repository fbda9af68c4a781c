"""The provider-independent alert event and the small value types the pipeline passes around."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

Severity = Literal["critical", "major", "moderate", "minor", "none"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
EventKind = Literal["triggered", "reset", "acknowledged"]


@dataclass(frozen=True)
class AlertEvent:
    """One normalized delivery from a vendor (webhook, poll or replay)."""

    tenant: uuid.UUID
    integration_id: uuid.UUID
    provider: str
    kind: EventKind
    external_alert_id: str
    occurred_at: datetime
    severity: Severity = "none"
    external_device_id: str | None = None
    condition_identity: str | None = None
    activity_type: str | None = None
    alert_class: str | None = None
    source_type: str | None = None
    message: str | None = None
    device_name: str | None = None
    external_org_id: str | None = None
    external_alert_uid: str | None = None  # the id the vendor's API uses, when it differs
    # set when the vendor sent no alert id: a reset then closes the open alert of its dedup key
    match_by_dedup_key: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # what was corrected on the way in, for the decision trace
    summary: str | None = None  # what is wrong, as the provider reads it from its own payload


PROVIDER_LABELS = {
    "ninjaone": "NinjaOne",
    "tacticalrmm": "Tactical RMM",
    "huntress": "Huntress",
    "levelio": "Level",
    "tanium": "Tanium",
}


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider.capitalize())


OutcomeKind = Literal[
    "ticket_created",
    "occurrence_appended",
    "recorded_only",
    "suppressed",
    "resolved",
    "acknowledged",
    "skipped",
]


@dataclass(frozen=True)
class Outcome:
    """What processing one event did, for the webhook response, the poller and the trace."""

    outcome: OutcomeKind
    alert_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = None
    rule_id: uuid.UUID | None = None
    window_id: uuid.UUID | None = None
    warnings: tuple[str, ...] = ()


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
