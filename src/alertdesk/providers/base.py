"""What a provider can do, as Protocols; services depend on these, never on a vendor module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AlertRef:
    """Enough to address one alert at the vendor."""

    provider: str
    instance_url: str | None
    external_alert_id: str
    external_alert_uid: str | None


class OutboundError(Exception):
    """The vendor refused or could not be reached; the message says which and why."""


class OutboundAdapter(Protocol):
    def reset_alert(self, alert: AlertRef) -> None:
        """Clear the alert at the vendor; raise OutboundError on failure."""
        ...
