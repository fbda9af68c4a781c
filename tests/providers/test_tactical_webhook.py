"""TacticalRMM URL Action deliveries (issue 4 §6, REFERENCE-providers.md §B.2)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import BadPayload
from alertdesk.testing.fakes import fixture, fixture_bytes
from tests.providers.tactical_support import (
    AGENT,
    ALERT_TIME,
    CHECK,
    CTX,
    DISK_MESSAGE,
    NOW,
    RESOLVED_ON,
    WEBHOOK,
    disk_event,
    event_of,
)


def trigger(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(fixture("tacticalrmm", "webhook_trigger.json"))
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("webhook_trigger.json", disk_event("webhook_trigger.json")),
        (
            "webhook_resolved.json",
            disk_event("webhook_resolved.json", kind="reset", occurred_at=RESOLVED_ON),
        ),
        (
            "webhook_trigger_availability.json",
            disk_event(
                "webhook_trigger_availability.json",
                external_alert_id="1424",
                occurred_at=datetime(2026, 6, 16, 14, 20, 0, 118402, tzinfo=UTC),
                external_device_id="QzhWrPAtYbNeFrsGKcdLwmVjuiXoDTyEnBlSpCaU",
                condition_identity="availability",
                activity_type="availability",
                alert_class="availability",
                message="RECEPTION-PC in Acme Dental, Main Office is overdue.",
                device_name="RECEPTION-PC",
                summary="Agent is overdue (not checking in)",
            ),
        ),
    ],
)
def test_fixture_deliveries(name: str, expected: AlertEvent) -> None:
    assert WEBHOOK.normalize(WEBHOOK.parse(fixture_bytes("tacticalrmm", name)), CTX) == expected


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        pytest.param({}, "triggered", id="trigger"),
        pytest.param({"event": "resolve"}, "reset", id="resolve"),
        pytest.param({"event": "RESOLVED"}, "reset", id="resolved-upper"),
        pytest.param({"resolved": "True"}, "reset", id="resolved-True"),
        pytest.param({"event": None, "resolved": "True"}, "reset", id="no-event-resolved"),
        pytest.param({"event": None}, "triggered", id="no-event"),
        pytest.param({"event": "None", "resolved": "None"}, "triggered", id="None-strings"),
        pytest.param({"resolved": "False"}, "triggered", id="resolved-False"),
    ],
)
def test_event_and_resolved_decide_the_kind(changes: dict[str, Any], kind: str) -> None:
    assert event_of(trigger(**changes)).kind == kind


def test_none_strings_are_missing_values() -> None:
    event = event_of(
        trigger(message="None", hostname="None", client_id="None", severity="None", check="None")
    )
    assert (event.message, event.device_name, event.external_org_id) == (None, None, None)
    assert (event.severity, event.condition_identity) == ("moderate", "check")


def test_agent_hostname_is_a_fallback_for_hostname() -> None:
    assert event_of(trigger(hostname="None", agent_hostname="FD-01")).device_name == "FD-01"


@pytest.mark.parametrize("agent", [None, "None", "", "  "])
def test_agent_id_is_required(agent: str | None) -> None:
    payload = trigger(agent_id=agent)  # None removes the key
    with pytest.raises(BadPayload, match="agent_id"):
        WEBHOOK.normalize(payload, CTX)


@pytest.mark.parametrize("missing", [None, "None", ""])
def test_resolve_without_alert_id_matches_by_dedup_key(missing: str | None) -> None:
    resolve = trigger(event="resolve", resolved="True", resolved_on="2026-06-16 15:10:05+00:00")
    first = trigger()
    for payload in (resolve, first):
        payload.pop("alert_id")
        if missing is not None:
            payload["alert_id"] = missing
    reset, triggered = event_of(resolve), event_of(first)
    assert reset.kind == "reset"
    assert reset.match_by_dedup_key
    assert triggered.match_by_dedup_key
    assert reset.external_alert_id == triggered.external_alert_id
    assert reset.external_alert_id.startswith(f"{AGENT}|")
    assert reset.external_alert_id.endswith(f"|{ALERT_TIME.isoformat()}")
    assert len(reset.external_alert_id) <= 255


def test_synthesized_ids_of_different_checks_differ() -> None:
    ids = set()
    for check in ("Disk C", "Disk D", "x" * 300, "y" * 300):
        payload = trigger(check=check)
        payload.pop("alert_id")
        ids.add(event_of(payload).external_alert_id)
    assert len(ids) == 4


def test_alert_id_present_means_no_dedup_matching() -> None:
    event = event_of(trigger(event="resolve"))
    assert (event.external_alert_id, event.match_by_dedup_key) == ("1423", False)


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("error", "critical"),
        ("Error", "critical"),
        ("warning", "moderate"),
        ("WARN", "moderate"),
        ("info", "minor"),
        ("informational", "minor"),
        ("critical", "critical"),
        ("major", "major"),
        ("high", "major"),
        ("moderate", "moderate"),
        ("minor", "minor"),
        ("low", "minor"),
        ("none", "none"),
        ("garbage", "moderate"),
        ("None", "moderate"),
        ("", "moderate"),
    ],
)
def test_severity_words(word: str, severity: str) -> None:
    assert event_of(trigger(severity=word)).severity == severity


@pytest.mark.parametrize(
    ("fields", "identity"),
    [
        pytest.param({"check_id": "311", "task_id": "88", "task": "T"}, "311", id="check_id"),
        pytest.param({"check_id": "None", "task_id": "88", "task": "T"}, "88", id="task_id"),
        pytest.param({"check_id": "None", "task_id": "None"}, CHECK, id="check"),
        pytest.param({"check": "None", "task": "Nightly backup"}, "Nightly backup", id="task"),
        pytest.param({"check": "None", "task": "None"}, "check", id="alert_type"),
        pytest.param({"check": "None", "alert_type": "None"}, None, id="nothing"),
    ],
)
def test_condition_identity_chain(fields: dict[str, Any], identity: str | None) -> None:
    assert event_of(trigger(**fields)).condition_identity == identity


@pytest.mark.parametrize(
    ("fields", "occurred_at"),
    [
        pytest.param({}, ALERT_TIME, id="trigger-alert_time"),
        pytest.param({"alert_time": "2026-06-16T14:03:22.512344Z"}, ALERT_TIME, id="iso-z"),
        pytest.param({"alert_time": "None"}, NOW, id="trigger-no-time"),
        pytest.param({"event": "resolve", "resolved_on": str(RESOLVED_ON)}, RESOLVED_ON, id="res"),
        pytest.param({"event": "resolve"}, NOW, id="resolve-None-resolved_on"),
    ],
)
def test_occurred_at(fields: dict[str, Any], occurred_at: datetime) -> None:
    assert event_of(trigger(**fields)).occurred_at == occurred_at


def test_body_as_a_json_string_literal() -> None:
    payload = fixture("tacticalrmm", "webhook_trigger.json")
    body = json.dumps(json.dumps(payload, indent=4)).encode()
    assert WEBHOOK.parse(body) == payload


def test_broken_string_literal_is_recovered_line_by_line() -> None:
    text = fixture_bytes("tacticalrmm", "webhook_trigger.json").decode()
    text = text.replace(DISK_MESSAGE, 'Service "Print Spooler" (spooler) is "stopped"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(text, strict=False)
    event = event_of(WEBHOOK.parse(json.dumps(text).encode()))
    assert event.message == 'Service "Print Spooler" (spooler) is "stopped"'
    assert (event.external_alert_id, event.external_device_id, event.kind) == (
        "1423",
        AGENT,
        "triggered",
    )


@pytest.mark.parametrize("body", [b'"just some text"', b'"[1, 2]"', b'"42"', b'""'])
def test_string_literal_without_an_object_is_a_bad_payload(body: bytes) -> None:
    with pytest.raises(BadPayload):
        WEBHOOK.normalize(WEBHOOK.parse(body), CTX)


@pytest.mark.parametrize("body", [b"", b"{broken", b"[]", b"17", b"null"])
def test_unreadable_bodies_are_bad_payloads(body: bytes) -> None:
    with pytest.raises(BadPayload):
        WEBHOOK.normalize(WEBHOOK.parse(body), CTX)
