"""Huntress settings: parsing with defaults and clamping, routing completeness, priority prefill,
poll-due (seed 001 Task 2)."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from alertdesk.core.huntress.settings import (
    HuntressSettings,
    SeverityPriorityMap,
    is_poll_due,
    missing_routing,
    parse_settings,
    prefill_severity_priority_map,
    routing_complete,
)

P = pytest.param


def uid(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, name)


B1, B2, C1, S1 = uid("b1"), uid("b2"), uid("c1"), uid("s1")
P1, P2, P3 = uid("p1"), uid("p2"), uid("p3")
FULL_MAP = {"critical": str(P1), "high": str(P2), "low": str(P3)}


def test_defaults_for_an_empty_object() -> None:
    settings = parse_settings({})
    assert settings.poll_interval_minutes == 5
    assert settings.backfill_days == 7
    assert settings.auto_close_tickets is False
    assert settings.severity_priority_map == SeverityPriorityMap()
    assert settings.incident_cursor is None
    assert settings == HuntressSettings()


def test_accepts_a_json_string() -> None:
    assert parse_settings(json.dumps({"poll_interval_minutes": 10})).poll_interval_minutes == 10


@pytest.mark.parametrize(
    "raw",
    [
        P(None, id="none"),
        P("not json", id="not-json"),
        P("", id="empty-text"),
        P("[1, 2]", id="json-list"),
        P("null", id="json-null"),
        P({"poll_interval_minutes": None, "backfill_days": None}, id="null-values"),
        P({"poll_interval_minutes": True, "backfill_days": "x"}, id="bool-and-text"),
        P({"poll_interval_minutes": float("nan"), "backfill_days": ""}, id="nan-and-empty"),
        P({"severity_priority_map": "x", "board_id": "not-a-uuid"}, id="bad-shapes"),
        P({"auto_close_tickets": "true", "notify_user_ids": "x"}, id="not-real-bool-or-list"),
    ],
)
def test_garbage_yields_defaults(raw: Any) -> None:
    assert parse_settings(raw) == HuntressSettings()


@pytest.mark.parametrize(
    ("raw", "interval", "backfill"),
    [
        P({"poll_interval_minutes": 0}, 1, 7, id="interval-low"),
        P({"poll_interval_minutes": 999}, 60, 7, id="interval-high"),
        P({"backfill_days": 0}, 5, 1, id="backfill-low"),
        P({"backfill_days": 90}, 5, 30, id="backfill-high"),
        P({"poll_interval_minutes": -3, "backfill_days": -1}, 1, 1, id="negative"),
        P({"poll_interval_minutes": 1, "backfill_days": 30}, 1, 30, id="bounds-kept"),
        P({"poll_interval_minutes": "15", "backfill_days": "3"}, 15, 3, id="numeric-text"),
        P({"poll_interval_minutes": 2.9, "backfill_days": 0.5}, 2, 1, id="fractions"),
    ],
)
def test_clamps_interval_and_backfill(raw: dict[str, Any], interval: int, backfill: int) -> None:
    settings = parse_settings(raw)
    assert (settings.poll_interval_minutes, settings.backfill_days) == (interval, backfill)


def test_preserves_configured_routing_fields() -> None:
    user = uid("u1")
    settings = parse_settings(
        {
            "board_id": str(B1),
            "category_id": str(uid("cat")),
            "fallback_client_id": str(C1),
            "fallback_board_id": str(B2),
            "severity_priority_map": FULL_MAP,
            "auto_close_tickets": True,
            "closed_status_id": str(S1),
            "notify_user_ids": [str(user), "junk", str(user)],
            "account_name": "Example MSP",
            "account_subdomain": "acme",
            "incident_cursor": "2026-06-01T00:00:00Z",
        }
    )
    assert settings.board_id == B1
    assert settings.category_id == uid("cat")
    assert settings.fallback_client_id == C1
    assert settings.fallback_board_id == B2
    assert settings.severity_priority_map == SeverityPriorityMap(critical=P1, high=P2, low=P3)
    assert settings.auto_close_tickets is True
    assert settings.closed_status_id == S1
    assert settings.notify_user_ids == (user,)
    assert settings.account_name == "Example MSP"
    assert settings.account_subdomain == "acme"
    assert settings.incident_cursor == datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [
        P("2026-06-01T02:00:00+02:00", datetime(2026, 6, 1, tzinfo=UTC), id="offset"),
        P("2026-06-01T00:00:00", datetime(2026, 6, 1, tzinfo=UTC), id="naive-is-utc"),
        P("yesterday", None, id="unreadable-means-backfill"),
        P(12345, None, id="not-text"),
    ],
)
def test_incident_cursor_parsing(cursor: object, expected: datetime | None) -> None:
    assert parse_settings({"incident_cursor": cursor}).incident_cursor == expected


COMPLETE = parse_settings(
    {
        "board_id": str(B1),
        "fallback_client_id": str(C1),
        "fallback_board_id": str(B2),
        "severity_priority_map": FULL_MAP,
    }
)


def test_routing_complete_when_board_fallbacks_and_all_severities_are_set() -> None:
    assert routing_complete(COMPLETE)
    assert missing_routing(COMPLETE) == ()


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        P(replace(COMPLETE, board_id=None), ("board_id",), id="board"),
        P(
            replace(COMPLETE, fallback_client_id=None),
            ("fallback_client_id",),
            id="fallback-client",
        ),
        P(replace(COMPLETE, fallback_board_id=None), ("fallback_board_id",), id="fallback-board"),
        P(
            replace(COMPLETE, severity_priority_map=SeverityPriorityMap(critical=P1, high=P2)),
            ("severity_priority_map.low",),
            id="low-severity",
        ),
        P(
            HuntressSettings(),
            (
                "board_id",
                "fallback_client_id",
                "fallback_board_id",
                "severity_priority_map.critical",
                "severity_priority_map.high",
                "severity_priority_map.low",
            ),
            id="everything",
        ),
    ],
)
def test_routing_incomplete_names_what_is_missing(
    settings: HuntressSettings, missing: tuple[str, ...]
) -> None:
    assert not routing_complete(settings)
    assert missing_routing(settings) == missing


MED, HIGH, CRIT, URG, LOW = uid("p-med"), uid("p-high"), uid("p-crit"), uid("p-urg"), uid("p-low")


@pytest.mark.parametrize(
    ("priorities", "expected"),
    [
        P(
            [(MED, "Medium"), (HIGH, "HIGH"), (CRIT, "Critical")],
            SeverityPriorityMap(critical=CRIT, high=HIGH, low=MED),
            id="by-name-case-insensitive",
        ),
        P([(URG, "Urgent")], SeverityPriorityMap(critical=URG), id="urgent-when-no-critical"),
        P(
            [(URG, "Urgent"), (CRIT, "critical")],
            SeverityPriorityMap(critical=CRIT),
            id="critical-preferred-over-urgent",
        ),
        P(
            [(LOW, "Low"), (MED, " medium ")],
            SeverityPriorityMap(low=MED),
            id="medium-preferred-over-low",
        ),
        P([(LOW, "Low")], SeverityPriorityMap(low=LOW), id="low-when-no-medium"),
        P([(HIGH, "High"), (uid("dup"), "high")], SeverityPriorityMap(high=HIGH), id="first-wins"),
        P([(uid("x"), "Weird"), (uid("y"), "Highest")], SeverityPriorityMap(), id="no-match"),
        P([], SeverityPriorityMap(), id="no-priorities"),
    ],
)
def test_prefill_severity_priority_map(
    priorities: list[tuple[uuid.UUID, str]], expected: SeverityPriorityMap
) -> None:
    assert prefill_severity_priority_map(priorities) == expected


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("critical", P1), ("HIGH", P2), (" low ", P3), ("medium", None), ("", None)],
)
def test_priority_for_a_severity(severity: str, expected: uuid.UUID | None) -> None:
    assert COMPLETE.severity_priority_map.get(severity) == expected


NOW = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last", "interval", "due"),
    [
        P(None, 5, True, id="never-polled"),
        P("", 5, True, id="empty"),
        P("garbage", 5, True, id="unreadable"),
        P("2026-06-09T11:54:59Z", 5, True, id="interval-elapsed"),
        P("2026-06-09T11:55:00Z", 5, True, id="exactly-the-interval"),
        P("2026-06-09T11:58:00Z", 5, False, id="within-interval"),
        P("2026-06-09T11:58:00Z", 1, True, id="short-interval"),
        P(datetime(2026, 6, 9, 11, 0, tzinfo=UTC), 5, True, id="datetime-elapsed"),
        P(datetime(2026, 6, 9, 11, 59, tzinfo=UTC), 5, False, id="datetime-within"),
        P(datetime(2026, 6, 9, 11, 59), 5, False, id="naive-datetime-is-utc"),
        P(
            datetime(2026, 6, 9, 13, 58, tzinfo=timezone(timedelta(hours=2))),
            5,
            False,
            id="other-offset",
        ),
    ],
)
def test_is_poll_due(last: datetime | str | None, interval: int, due: bool) -> None:
    assert is_poll_due(last, interval, NOW) is due
