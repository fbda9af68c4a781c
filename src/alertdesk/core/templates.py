"""Ticket title/description templates: {{device}} {{message}} {{severity}} {{organization}}."""

from __future__ import annotations

import re
from collections.abc import Mapping

from alertdesk.core.alert_summary import alert_summary, clean, shorten
from alertdesk.core.types import AlertEvent, provider_label

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
TITLE_LIMIT = 255
DEVICE_LIMIT = 80


def placeholder_values(event: AlertEvent, organization: str | None) -> dict[str, str]:
    return {
        "device": event.device_name or event.external_device_id or "Unknown device",
        "message": event.message or "",
        "severity": event.severity,
        "organization": organization or event.external_org_id or "",
    }


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill placeholders (names case-insensitive, spaces allowed); unknown ones stay as written."""

    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1).lower(), match.group(0))

    return PLACEHOLDER.sub(fill, template)


def default_title(event: AlertEvent) -> str:
    """What is wrong and where: "Disk C: free space at or below 15% — FRONTDESK-01"; one line
    of at most TITLE_LIMIT characters."""
    device = shorten(clean(event.device_name or event.external_device_id), DEVICE_LIMIT)
    where = f" — {device}" if device else " — unknown device"
    return shorten(alert_summary(event), TITLE_LIMIT - len(where)) + where


def default_description(event: AlertEvent) -> str:
    lines = [f"Alert from {provider_label(event.provider)}.", f"Severity: {event.severity}"]
    device = event.device_name or event.external_device_id
    for label, value in (
        ("Device", device),
        ("Activity type", event.activity_type),
        ("Alert class", event.alert_class),
    ):
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"Triggered at: {event.occurred_at.isoformat()}")
    if event.message:
        lines += ["", event.message]
    return "\n".join(lines)


def ticket_text(
    event: AlertEvent,
    organization: str | None,
    title_template: str | None,
    description_template: str | None,
) -> tuple[str, str]:
    """(title, description) from the rule's templates, else the defaults."""
    values = placeholder_values(event, organization)
    title = render(title_template, values) if title_template else default_title(event)
    description = (
        render(description_template, values) if description_template else default_description(event)
    )
    return title.strip()[:500] or default_title(event)[:500], description
