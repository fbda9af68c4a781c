"""The Huntress incident planner: every lifecycle decision (seed 001 Task 6)."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from alertdesk.core.huntress.plan import (
    AppendNote,
    CreateTicket,
    ExistingAlert,
    IncidentAction,
    OrgMapping,
    RecordOnly,
    Skip,
    is_closed_status,
    plan_incident_action,
)
from alertdesk.core.huntress.settings import HuntressSettings, SeverityPriorityMap, parse_settings

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "huntress"
P = pytest.param


def uid(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, name)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


BOARD, TRIAGE, CATEGORY = uid("board-sec"), uid("board-triage"), uid("category")
CLIENT, FALLBACK, CLOSED_STATUS = uid("client-1"), uid("client-fallback"), uid("status-closed")
P_CRIT, P_HIGH, P_LOW = uid("p-crit"), uid("p-high"), uid("p-low")
TICKET = uid("ticket-1")

SETTINGS = parse_settings(
    {
        "board_id": str(BOARD),
        "category_id": str(CATEGORY),
        "fallback_client_id": str(FALLBACK),
        "fallback_board_id": str(TRIAGE),
        "severity_priority_map": {"critical": str(P_CRIT), "high": str(P_HIGH), "low": str(P_LOW)},
        "auto_close_tickets": False,
        "closed_status_id": str(CLOSED_STATUS),
    }
)
AUTO_CLOSE = replace(SETTINGS, auto_close_tickets=True)
PAGE = load("incident_reports_page.json")["incident_reports"]
OPEN_ROW, CLOSED_ROW = PAGE  # the fixture's critical `sent` and low `closed` incidents
UPDATED = "2026-06-16T13:58:02Z"
LATER = "2026-06-16T15:00:00Z"

MAPPED = OrgMapping(client_id=CLIENT)
UNMAPPED = OrgMapping(client_id=None)
MAPPED_ON_CLIENT = CreateTicket(CLIENT, BOARD, P_CRIT, CATEGORY, unmapped=False)
ON_FALLBACK = CreateTicket(FALLBACK, TRIAGE, P_CRIT, None, unmapped=True)


def incident(**overrides: Any) -> dict[str, Any]:
    return dict(OPEN_ROW) | overrides


def alert(
    status: str = "sent", ticket_id: uuid.UUID | None = TICKET, processed: str | None = UPDATED
) -> ExistingAlert:
    metadata = {} if processed is None else {"last_processed_updated_at": processed}
    return ExistingAlert.from_row(ticket_id, status, metadata)


@pytest.mark.parametrize(
    ("status", "closed"),
    [
        ("closed", True),
        ("dismissed", True),
        ("partner_dismissed", True),
        ("sent", False),
        ("auto_remediating", False),
        ("deleting", False),
    ],
)
def test_is_closed_status(status: str, closed: bool) -> None:
    assert is_closed_status(status) is closed


@pytest.mark.parametrize(
    ("row", "mapping", "expected"),
    [
        P(incident(), MAPPED, MAPPED_ON_CLIENT, id="open-mapped-creates-on-client"),
        P(incident(), UNMAPPED, ON_FALLBACK, id="unmapped-goes-to-fallback"),
        P(incident(), None, ON_FALLBACK, id="no-mapping-row-goes-to-fallback"),
        P(
            incident(),
            OrgMapping(CLIENT, auto_create_tickets=False),
            RecordOnly("org_opted_out"),
            id="opted-out-mapped",
        ),
        P(
            incident(),
            OrgMapping(None, auto_create_tickets=False),
            RecordOnly("org_opted_out"),
            id="opted-out-unmapped",
        ),
        P(
            incident(status="closed"),
            OrgMapping(CLIENT, auto_create_tickets=False),
            RecordOnly("org_opted_out"),
            id="opt-out-before-closed",
        ),
        P(CLOSED_ROW, MAPPED, RecordOnly("already_closed"), id="already-closed-backfill"),
        P(incident(status="dismissed"), None, RecordOnly("already_closed"), id="dismissed"),
        P(
            incident(status="partner_dismissed"),
            UNMAPPED,
            RecordOnly("already_closed"),
            id="partner-dismissed",
        ),
        P(
            incident(status="auto_remediating"),
            MAPPED,
            MAPPED_ON_CLIENT,
            id="auto-remediating-is-open",
        ),
        P(incident(status="deleting"), MAPPED, Skip("deleting"), id="deleting-skipped"),
        P(incident(status="deleting"), None, Skip("deleting"), id="deleting-before-fallback"),
    ],
)
def test_new_incidents(
    row: dict[str, Any], mapping: OrgMapping | None, expected: IncidentAction
) -> None:
    assert plan_incident_action(row, None, mapping, SETTINGS) == expected


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("critical", P_CRIT), ("high", P_HIGH), ("low", P_LOW), ("LOW", P_LOW), ("medium", P_HIGH)],
)
def test_priority_follows_the_severity_map(severity: str, priority: uuid.UUID) -> None:
    action = plan_incident_action(incident(severity=severity), None, MAPPED, SETTINGS)
    assert isinstance(action, CreateTicket)
    assert action.priority_id == priority


@pytest.mark.parametrize(
    ("settings", "mapping", "field"),
    [
        P(replace(SETTINGS, board_id=None), MAPPED, "board_id", id="board"),
        P(replace(SETTINGS, fallback_client_id=None), None, "fallback_client_id", id="client"),
        P(replace(SETTINGS, fallback_board_id=None), UNMAPPED, "fallback_board_id", id="board2"),
        P(
            replace(SETTINGS, severity_priority_map=SeverityPriorityMap(high=P_HIGH, low=P_LOW)),
            MAPPED,
            "severity_priority_map.critical",
            id="severity",
        ),
    ],
)
def test_incomplete_routing_is_an_error_not_a_lost_incident(
    settings: HuntressSettings, mapping: OrgMapping | None, field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        plan_incident_action(incident(), None, mapping, settings)


@pytest.mark.parametrize(
    ("row", "existing", "settings", "expected"),
    [
        P(incident(), alert(), SETTINGS, Skip("unchanged"), id="unchanged"),
        P(
            incident(updated_at="2026-06-16T13:00:00Z"),
            alert(),
            SETTINGS,
            Skip("unchanged"),
            id="older-overlap-row-unchanged",
        ),
        P(
            incident(updated_at=LATER),
            alert(),
            SETTINGS,
            AppendNote("sent"),
            id="updated-at-moved",
        ),
        P(
            incident(status="closed"),
            alert(),
            SETTINGS,
            AppendNote("sent"),
            id="status-changed-same-updated-at",
        ),
        P(
            incident(status="auto_remediating"),
            alert(),
            AUTO_CLOSE,
            AppendNote("sent"),
            id="open-status-change-never-closes",
        ),
        P(incident(), alert(processed=None), SETTINGS, AppendNote("sent"), id="never-processed"),
        P(
            incident(updated_at=LATER),
            alert(ticket_id=None),
            SETTINGS,
            RecordOnly("no_linked_ticket"),
            id="no-ticket-after-the-fact",
        ),
        P(
            incident(status="closed"),
            alert(ticket_id=None, processed=None),
            AUTO_CLOSE,
            RecordOnly("no_linked_ticket"),
            id="no-ticket-even-when-closing",
        ),
        P(
            incident(status="deleting", updated_at=LATER),
            alert(),
            SETTINGS,
            Skip("deleting"),
            id="deleting-existing",
        ),
        P(
            incident(updated_at="garbage"),
            alert(),
            SETTINGS,
            Skip("unchanged"),
            id="unreadable-updated-at-same-status",
        ),
    ],
)
def test_existing_alerts(
    row: dict[str, Any],
    existing: ExistingAlert,
    settings: HuntressSettings,
    expected: IncidentAction,
) -> None:
    assert plan_incident_action(row, existing, MAPPED, settings) == expected


@pytest.mark.parametrize(
    ("status", "settings", "close_status"),
    [
        P("closed", SETTINGS, None, id="auto-close-off"),
        P("closed", AUTO_CLOSE, CLOSED_STATUS, id="auto-close-on"),
        P("dismissed", AUTO_CLOSE, CLOSED_STATUS, id="dismissed-closes"),
        P("partner_dismissed", AUTO_CLOSE, CLOSED_STATUS, id="partner-dismissed-closes"),
        P(
            "closed",
            replace(AUTO_CLOSE, closed_status_id=None),
            None,
            id="no-closed-status-configured",
        ),
    ],
)
def test_closes_only_when_enabled_and_a_closed_status_is_configured(
    status: str, settings: HuntressSettings, close_status: uuid.UUID | None
) -> None:
    closing = incident(status=status, updated_at=LATER)
    action = plan_incident_action(closing, alert(), MAPPED, settings)
    assert action == AppendNote("sent", close_status_id=close_status)
    assert isinstance(action, AppendNote)
    assert action.close is (close_status is not None)


def test_existing_alert_ignores_the_mapping() -> None:
    # Opt-outs and routing decide at creation only; a ticketed incident keeps getting notes.
    opted_out = OrgMapping(CLIENT, auto_create_tickets=False)
    action = plan_incident_action(incident(updated_at=LATER), alert(), opted_out, SETTINGS)
    assert action == AppendNote("sent")


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        P(
            {"last_processed_updated_at": UPDATED},
            datetime(2026, 6, 16, 13, 58, 2, tzinfo=UTC),
            id="iso-text",
        ),
        P({"last_processed_updated_at": "junk"}, None, id="junk"),
        P({}, None, id="empty"),
        P(None, None, id="none"),
    ],
)
def test_existing_alert_from_row(
    metadata: dict[str, Any] | None, expected: datetime | None
) -> None:
    existing = ExistingAlert.from_row(TICKET, "sent", metadata)
    assert existing == ExistingAlert(TICKET, "sent", expected)
