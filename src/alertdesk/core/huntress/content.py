"""Self-contained ticket content for a Huntress incident (Markdown): a technician can triage from
the ticket without opening the Huntress portal. Reads REST rows and webhook payloads alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TITLE_PREFIX = "[Huntress]"
UNMAPPED_TITLE_PREFIX = "[Huntress] [Unmapped Org]"


def portal_url(subdomain: str | None, incident_id: object) -> str:
    """Deep link to the incident in the Huntress portal (every URL is built here)."""
    host = f"{subdomain}.huntress.io" if subdomain else "huntress.io"
    return f"https://{host}/incident_reports/{incident_id}"


def ticket_title(incident: Mapping[str, Any], *, unmapped: bool) -> str:
    """`[Huntress] <subject>`, marked `[Unmapped Org]` on the fallback client."""
    prefix = UNMAPPED_TITLE_PREFIX if unmapped else TITLE_PREFIX
    subject = _text(incident, "subject") or (
        f"{_text(incident, 'severity')} incident #{incident.get('id')}"
    )
    return f"{prefix} {subject}"


def ticket_body(
    incident: Mapping[str, Any],
    agent: Mapping[str, Any] | None,
    link: str,
    *,
    unmapped: bool,
    org_name: str | None = None,
) -> str:
    """The ticket description: warning, incident facts, SOC summary, host, remediations, link."""
    org = org_name or _org_name(incident)
    sections = [
        _unmapped_warning(org) if unmapped else [],
        _incident_section(incident),
        _summary_section(incident),
        _host_section(agent) if agent else _org_section(org),
        _remediation_section(incident),
        ["## Links", "", f"[View in Huntress portal]({link})", ""],
        ["---", "*This ticket was automatically created from a Huntress incident report.*"],
    ]
    return "\n".join(line for section in sections for line in section)


def creation_note(incident: Mapping[str, Any]) -> str:
    """The first internal note: the raw identifiers the ticket was made from."""
    return "\n".join(
        [
            "**Ticket created automatically from a Huntress incident report**",
            "",
            f"Incident ID: {incident.get('id')}",
            f"Severity: {_text(incident, 'severity')}",
            f"Status: {_text(incident, 'status')}",
            f"Updated: {_text(incident, 'updated_at')}",
        ]
    )


def update_note(previous_status: str, incident: Mapping[str, Any]) -> str:
    """The note appended when Huntress changed the incident: the status move, or that it stayed."""
    status = _text(incident, "status")
    lines = ["**Huntress incident updated**", ""]
    if previous_status != status:
        lines.append(f"Status: {previous_status} → {status}")
    else:
        lines.append(f"Incident updated in Huntress (status remains {status}).")
    lines.append(f"Updated: {_text(incident, 'updated_at')}")
    if closed_at := _text(incident, "closed_at"):
        lines.append(f"Closed at: {closed_at}")
    return "\n".join(lines)


def indicators(incident: Mapping[str, Any]) -> list[str]:
    """`type (count)` per indicator; webhook payloads carry no `indicator_types`, only counts."""
    counts = incident.get("indicator_counts")
    counts = counts if isinstance(counts, Mapping) else {}
    types = incident.get("indicator_types")
    if not isinstance(types, list):
        types = [name for name, count in counts.items() if isinstance(count, int) and count > 0]
    return [f"{name} ({counts.get(name, '?')})" for name in types]


def _unmapped_warning(org: str) -> list[str]:
    return [
        "> **Unmapped organization.** The Huntress organization",
        f'> "{org}" is not mapped to a client.',
        "> Map it in Settings → Integrations → Huntress, then move this ticket.",
        "",
    ]


def _incident_section(incident: Mapping[str, Any]) -> list[str]:
    lines = ["## Security Incident", ""]
    lines.append(f"**Severity:** {_text(incident, 'severity')}")
    lines.append(f"**Status:** {_text(incident, 'status')}")
    lines += _field("Platform", _text(incident, "platform"))
    lines += _field("Indicators", ", ".join(indicators(incident)))
    lines += _field("Reported", _text(incident, "sent_at"))
    return [*lines, ""]


def _summary_section(incident: Mapping[str, Any]) -> list[str]:
    summary = _text(incident, "summary")
    return ["## SOC Summary", "", summary, ""] if summary else []


def _host_section(agent: Mapping[str, Any]) -> list[str]:
    lines = ["## Affected Host", ""]
    for label, key in (
        ("Hostname", "hostname"),
        ("OS", "os"),
        ("Internal IP", "ipv4_address"),
        ("External IP", "external_ip"),
        ("Serial Number", "serial_number"),
        ("Last Callback", "last_callback_at"),
    ):
        lines += _field(label, _text(agent, key))
    return [*lines, ""]


def _org_section(org: str) -> list[str]:
    return ["## Organization", "", f"**Huntress Organization:** {org}", ""]


def _remediation_section(incident: Mapping[str, Any]) -> list[str]:
    remediations = incident.get("remediations")
    if not isinstance(remediations, Mapping):
        return []
    items = [r for r in remediations.get("items") or [] if isinstance(r, Mapping)]
    if not items:
        return []
    lines = ["## Remediations", ""]
    lines += [_remediation_line(item) for item in items]
    if remediations.get("has_more"):
        total = remediations.get("total_count")
        lines.append(f"- …and more ({total} total — see portal)")
    return [*lines, ""]


def _remediation_line(item: Mapping[str, Any]) -> str:
    parameters = [p for p in item.get("parameters") or [] if isinstance(p, Mapping)]
    details = ", ".join(str(p.get("description")) for p in parameters if p.get("description"))
    action = _text(item, "action") or _text(item, "type")
    status = _text(item, "status") or "unknown"
    return f"- [{status}] {action}{f': {details}' if details else ''}"


def _org_name(incident: Mapping[str, Any]) -> str:
    organization = incident.get("organization")  # webhook payloads name the organization
    if isinstance(organization, Mapping) and (name := _text(organization, "name")):
        return name
    return _text(incident, "organization_id") or "unknown"


def _field(label: str, value: str | None) -> list[str]:
    return [f"**{label}:** {value}"] if value else []


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None or value == "" else str(value)
