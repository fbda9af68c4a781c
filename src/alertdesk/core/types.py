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
    raw: Mapping[str, Any] = field(default_factory=dict)


PROVIDER_LABELS = {
    "ninjaone": "NinjaOne",
    "tacticalrmm": "Tactical RMM",
    "huntress": "Huntress",
    "levelio": "Level",
    "tanium": "Tanium",
}


def provider_label(provider: str) -> str:
    return PROVIDER_LABELS.get(provider, provider.capitalize())
