"""Huntress ticket content: portal link, title, Markdown body and notes (seed 001 Task 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alertdesk.core.huntress.content import (
    creation_note,
    indicators,
    portal_url,
    ticket_body,
    ticket_title,
    update_note,
)

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "huntress"
P = pytest.param


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


INCIDENT: dict[str, Any] = load("incident_report_single.json")["incident_report"]
AGENT: dict[str, Any] = load("agent.json")["agent"]
CREATED: dict[str, Any] = load("webhook_incident_report_created.json")
CLOSED: dict[str, Any] = load("webhook_incident_report_closed.json")
URL = "https://examplemsp.huntress.io/incident_reports/512877"
SUBJECT = "CRITICAL - Incident on FRONTDESK-01 (Acme Dental)"
SUMMARY = INCIDENT["summary"]

EXPECTED_BODY = f"""## Security Incident

**Severity:** critical
**Status:** sent
**Platform:** windows
**Indicators:** footholds (1), process_detections (2)
**Reported:** 2026-06-16T13:58:02Z

## SOC Summary

{SUMMARY}

## Affected Host

**Hostname:** FRONTDESK-01
**OS:** Windows 11 Pro
**Internal IP:** 10.20.1.34
**External IP:** 203.0.113.45
**Serial Number:** PF3XK2L9
**Last Callback:** 2026-06-16T14:05:11Z

## Remediations

- [unapproved] Delete Scheduled Task: \\Microsoft\\Windows\\UpdateCheck

## Links

[View in Huntress portal]({URL})

---
*This ticket was automatically created from a Huntress incident report.*"""


@pytest.mark.parametrize(
    ("subdomain", "expected"),
    [
        P("examplemsp", URL, id="account-subdomain"),
        P(None, "https://huntress.io/incident_reports/512877", id="no-subdomain"),
        P("", "https://huntress.io/incident_reports/512877", id="empty-subdomain"),
    ],
)
def test_portal_url(subdomain: str | None, expected: str) -> None:
    assert portal_url(subdomain, 512877) == expected


@pytest.mark.parametrize(
    ("incident", "unmapped", "expected"),
    [
        P(INCIDENT, False, f"[Huntress] {SUBJECT}", id="prefixed-subject"),
        P(INCIDENT, True, f"[Huntress] [Unmapped Org] {SUBJECT}", id="unmapped-marker"),
        P(INCIDENT | {"subject": None}, False, "[Huntress] critical incident #512877", id="none"),
        P(
            INCIDENT | {"subject": ""},
            True,
            "[Huntress] [Unmapped Org] critical incident #512877",
            id="empty",
        ),
        P(CLOSED, False, f"[Huntress] {SUBJECT}", id="webhook-payload"),
    ],
)
def test_ticket_title(incident: dict[str, Any], unmapped: bool, expected: str) -> None:
    assert ticket_title(incident, unmapped=unmapped) == expected


def test_body_holds_severity_summary_indicators_host_remediations_and_link() -> None:
    body = ticket_body(INCIDENT, AGENT, URL, unmapped=False)
    for expected in (
        "**Severity:** critical",
        SUMMARY,
        "footholds (1)",
        "process_detections (2)",
        "**Hostname:** FRONTDESK-01",
        "**Internal IP:** 10.20.1.34",
        "Delete Scheduled Task",
        "\\Microsoft\\Windows\\UpdateCheck",
        URL,
    ):
        assert expected in body
    assert body == EXPECTED_BODY
    assert "not mapped to a client" not in body


def test_body_without_an_agent_shows_the_organization_instead_of_the_host() -> None:
    body = ticket_body(INCIDENT | {"agent_id": None}, None, URL, unmapped=False, org_name="Acme")
    assert "**Hostname:**" not in body
    assert "## Affected Host" not in body
    assert "## Organization\n\n**Huntress Organization:** Acme\n" in body


def test_unmapped_body_starts_with_a_warning_naming_the_organization() -> None:
    body = ticket_body(INCIDENT, AGENT, URL, unmapped=True, org_name="Acme")
    assert body.startswith(
        "> **Unmapped organization.** The Huntress organization\n"
        '> "Acme" is not mapped to a client.\n'
    )
    assert body.endswith(EXPECTED_BODY)


@pytest.mark.parametrize(
    ("incident", "org_name", "shown"),
    [
        P(CREATED, None, "Acme Dental", id="webhook-organization-name"),
        P(INCIDENT, None, "77120", id="rest-organization-id"),
        P(INCIDENT | {"organization_id": None}, None, "unknown", id="unknown"),
        P(CREATED, "Mapped Name", "Mapped Name", id="given-name-wins"),
    ],
)
def test_organization_name_fallbacks(
    incident: dict[str, Any], org_name: str | None, shown: str
) -> None:
    body = ticket_body(incident, None, URL, unmapped=True, org_name=org_name)
    assert f'> "{shown}" is not mapped to a client.' in body
    assert f"**Huntress Organization:** {shown}" in body


def test_webhook_payload_without_types_or_remediations_still_builds() -> None:
    body = ticket_body(CREATED, None, URL, unmapped=False)
    assert "**Indicators:** footholds (1), process_detections (2)" in body
    assert "## Remediations" not in body


def test_sparse_incident_omits_empty_fields_and_sections() -> None:
    sparse = {"id": 1, "severity": "low", "status": "sent", "indicator_types": []}
    body = ticket_body(sparse, {"hostname": "PC1"}, URL, unmapped=False)
    assert "**Platform:**" not in body
    assert "**Indicators:**" not in body
    assert "## SOC Summary" not in body
    assert "## Affected Host\n\n**Hostname:** PC1\n\n## Links" in body


def test_remediation_overflow_and_missing_details() -> None:
    remediations = {
        "total_count": 14,
        "has_more": True,
        "items": [
            {"type": "manual", "parameters": []},
            {"type": "assisted", "action": "Isolate Host", "status": "approved"},
        ],
    }
    body = ticket_body(INCIDENT | {"remediations": remediations}, None, URL, unmapped=False)
    assert (
        "## Remediations\n\n"
        "- [unknown] manual\n"
        "- [approved] Isolate Host\n"
        "- …and more (14 total — see portal)\n"
    ) in body


@pytest.mark.parametrize(
    ("incident", "expected"),
    [
        P(INCIDENT, ["footholds (1)", "process_detections (2)"], id="types-with-counts"),
        P({"indicator_types": ["footholds"]}, ["footholds (?)"], id="count-unknown"),
        P(CLOSED, ["footholds (1)", "process_detections (2)"], id="webhook-counts-only"),
        P({}, [], id="none"),
    ],
)
def test_indicators(incident: dict[str, Any], expected: list[str]) -> None:
    assert indicators(incident) == expected


def test_creation_note_records_the_raw_identifiers() -> None:
    assert creation_note(INCIDENT) == (
        "**Ticket created automatically from a Huntress incident report**\n"
        "\n"
        "Incident ID: 512877\n"
        "Severity: critical\n"
        "Status: sent\n"
        "Updated: 2026-06-16T13:58:02Z"
    )


def test_update_note_describes_a_status_transition() -> None:
    assert update_note("sent", CLOSED) == (
        "**Huntress incident updated**\n"
        "\n"
        "Status: sent → closed\n"
        "Updated: 2026-06-16T16:45:09Z\n"
        "Closed at: 2026-06-16T16:45:09Z"
    )


def test_update_note_when_only_updated_at_moved() -> None:
    note = update_note("sent", INCIDENT)
    assert note == (
        "**Huntress incident updated**\n"
        "\n"
        "Incident updated in Huntress (status remains sent).\n"
        "Updated: 2026-06-16T13:58:02Z"
    )
    assert "→" not in note
