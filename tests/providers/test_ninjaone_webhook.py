"""NinjaOne webhook deliveries (issue 4 §5): the captured fixtures and the normalizer rules."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from alertdesk.core.types import AlertEvent, EventKind
from alertdesk.providers.base import BadPayload, Ignored, WebhookContext
from alertdesk.providers.ninjaone.webhook import NinjaOneWebhook
from alertdesk.testing.fakes import fixture, fixture_bytes

NOW = datetime(2026, 6, 20, 8, 30, tzinfo=UTC)
CTX = WebhookContext(uuid.UUID(int=11), uuid.UUID(int=22), "moderate", NOW)
SERIES = "e6b0b0bd-5753-445d-9e4a-71c08983cbd5"
CONDITION_UID = "205b85b2-8a12-4123-834f-164be08b3314"
MEMORY_MESSAGE = "Memory Utilization is greater than or equal to 80% for 5 minutes"
DELETE = object()
WEBHOOK = NinjaOneWebhook()


def normalize_file(name: str) -> AlertEvent | Ignored:
    return WEBHOOK.normalize(WEBHOOK.parse(fixture_bytes("ninjaone", name)), CTX)


def event_of(payload: Any) -> AlertEvent:
    result = WEBHOOK.normalize(payload, CTX)
    assert isinstance(result, AlertEvent), result
    return result


def variant(changes: dict[str, Any], base: str = "condition_triggered.json") -> dict[str, Any]:
    """The fixture with dotted paths set (or removed with DELETE)."""
    payload: dict[str, Any] = copy.deepcopy(fixture("ninjaone", base))
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = payload
        for key in parents:
            target = target[key]
        if value is DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    return payload


def memory_event(kind: EventKind, time: datetime, name: str) -> AlertEvent:
    return AlertEvent(
        tenant=CTX.tenant,
        integration_id=CTX.integration_id,
        provider="ninjaone",
        kind=kind,
        external_alert_id=SERIES,
        external_alert_uid=SERIES,
        occurred_at=time,
        severity="moderate",  # no severity key in the capture: the configured default
        external_device_id="7",
        condition_identity=CONDITION_UID,
        activity_type="CONDITION",
        alert_class="vmm_cond_memory_usage_ge",
        source_type="condition",
        message=MEMORY_MESSAGE,
        device_name="192.168.50.43",
        external_org_id="2",
        raw=fixture("ninjaone", name),
    )


def test_condition_triggered_capture() -> None:
    time = datetime(2025, 3, 19, 13, 41, 15, 556000, tzinfo=UTC)
    expected = memory_event("triggered", time, "condition_triggered.json")
    assert normalize_file("condition_triggered.json") == expected


def test_condition_reset_has_the_same_alert_id_as_its_trigger() -> None:
    time = datetime(2025, 3, 19, 13, 51, 15, 118000, tzinfo=UTC)
    expected = memory_event("reset", time, "condition_reset.json")
    assert normalize_file("condition_reset.json") == expected


def test_condition_triggered_disk() -> None:
    uid = "c25c5107-bc72-40bf-901a-7b9b6a569b64"
    assert normalize_file("condition_triggered_disk.json") == AlertEvent(
        tenant=CTX.tenant,
        integration_id=CTX.integration_id,
        provider="ninjaone",
        kind="triggered",
        external_alert_id=uid,
        external_alert_uid=uid,
        occurred_at=datetime(2026, 6, 9, 16, 55, 6, 243000, tzinfo=UTC),
        severity="major",
        external_device_id="1255",
        condition_identity="189dd6ff-5f8f-4f2c-ad42-86104bd5927f",
        activity_type="CONDITION",
        alert_class="agent_win_cond_disk_free_le",
        source_type="condition",
        message="Disk Volume Free space for 'C:' is less than or equal to 15% "
        "from 2026-06-09T16:54:27Z to 2026-06-09T16:54:27Z",
        device_name="FRONTDESK-01",
        external_org_id="3",
        raw=fixture("ninjaone", "condition_triggered_disk.json"),
        summary="Disk C: free space at or below 15%",  # from the message code
    )


def test_monitor_reboot_activity_is_ignored() -> None:
    result = normalize_file("activity_monitor_reboot.json")
    assert isinstance(result, Ignored)
    assert "MONITOR" in result.reason


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("TRIGGERED", "triggered"),
        ("triggered", "triggered"),
        ("Reset", "reset"),
        ("reset", "reset"),
        ("ACKNOWLEDGED", "acknowledged"),
        ("Acknowledged", "acknowledged"),
    ],
)
def test_status_code_is_case_insensitive(code: str, kind: str) -> None:
    assert event_of(variant({"statusCode": code})).kind == kind


@pytest.mark.parametrize(
    "code", ["DISABLED", "EVALUATION_FAILURE", "RESET_BY_PSA_TICKET_CALLBACK", "", DELETE]
)
def test_unknown_or_missing_status_codes_are_ignored(code: object) -> None:
    result = WEBHOOK.normalize(variant({"statusCode": code}), CTX)
    assert isinstance(result, Ignored)
    assert "status" in result.reason


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"activityType": "MONITOR", "type": "Monitor"}, id="monitor"),
        pytest.param({"activityType": "CONDITION_ACTION"}, id="condition-action"),
        pytest.param({"activityType": "SYSTEM", "type": "System"}, id="system"),
        pytest.param({"activityType": DELETE, "type": DELETE}, id="no-type"),
    ],
)
def test_non_condition_activities_are_ignored(changes: dict[str, Any]) -> None:
    assert isinstance(WEBHOOK.normalize(variant(changes), CTX), Ignored)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"activityType": DELETE, "type": "Condition"}, id="type-only"),
        pytest.param({"activityType": DELETE, "type": "CONDITION"}, id="type-upper"),
        pytest.param({"activityType": "condition"}, id="activity-type-lower"),
    ],
)
def test_condition_type_in_any_case_or_field(changes: dict[str, Any]) -> None:
    event = event_of(variant(changes))
    assert (event.kind, event.activity_type) == ("triggered", "CONDITION")


def test_missing_series_uid_falls_back_to_the_activity_id() -> None:
    for missing in (DELETE, "", None):
        event = event_of(variant({"seriesUid": missing}))
        assert (event.external_alert_id, event.external_alert_uid) == ("177210", None)


def test_missing_series_uid_and_id_is_a_bad_payload() -> None:
    with pytest.raises(BadPayload, match="seriesUid"):
        WEBHOOK.normalize(variant({"seriesUid": DELETE, "id": DELETE}), CTX)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(1742391675.556, datetime(2025, 3, 19, 13, 41, 15, 556000, UTC), id="float-s"),
        pytest.param(1742391675, datetime(2025, 3, 19, 13, 41, 15, tzinfo=UTC), id="int-s"),
        pytest.param(1742391675556, datetime(2025, 3, 19, 13, 41, 15, 556000, UTC), id="ms"),
        pytest.param("1742391675", datetime(2025, 3, 19, 13, 41, 15, tzinfo=UTC), id="str-s"),
        pytest.param("2025-03-19T13:41:15Z", datetime(2025, 3, 19, 13, 41, 15, tzinfo=UTC), id="Z"),
        pytest.param(
            "2025-03-19T14:41:15+01:00", datetime(2025, 3, 19, 13, 41, 15, tzinfo=UTC), id="offset"
        ),
        pytest.param(
            "2025-03-19 13:41:15", datetime(2025, 3, 19, 13, 41, 15, tzinfo=UTC), id="naive"
        ),
        pytest.param(DELETE, NOW, id="missing"),
        pytest.param(None, NOW, id="null"),
        pytest.param("yesterday", NOW, id="garbage"),
        pytest.param(True, NOW, id="bool"),
    ],
)
def test_activity_time(value: object, expected: datetime) -> None:
    assert event_of(variant({"activityTime": value})).occurred_at == expected


@pytest.mark.parametrize("value", [1e20, -1e15, "1e20"])
def test_out_of_range_activity_time_falls_back_to_now(value: object) -> None:
    assert event_of(variant({"activityTime": value})).occurred_at == NOW


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MAJOR", "major"),
        ("critical", "critical"),
        (" Minor ", "minor"),
        ("MODERATE", "moderate"),
        ("NONE", "none"),
        (DELETE, "moderate"),
        (None, "moderate"),
        ("", "moderate"),
        ("SEVERE", "moderate"),
        (3, "moderate"),
    ],
)
def test_severity_or_the_configured_default(value: object, expected: str) -> None:
    assert event_of(variant({"severity": value})).severity == expected


def test_default_severity_comes_from_the_context() -> None:
    ctx = WebhookContext(CTX.tenant, CTX.integration_id, "critical", NOW)
    result = WEBHOOK.normalize(variant({}), ctx)
    assert isinstance(result, AlertEvent)
    assert result.severity == "critical"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, "2", id="organizationId"),
        pytest.param({"device.organizationId": 9}, "9", id="organizationId-wins"),
        pytest.param({"device.organizationId": DELETE}, "2", id="references"),
        pytest.param(
            {"device.organizationId": None, "device.references.organization.id": 44},
            "44",
            id="references-only",
        ),
        pytest.param(
            {"device.organizationId": DELETE, "device.references": DELETE}, None, id="none"
        ),
        pytest.param({"device": DELETE}, None, id="no-device"),
    ],
)
def test_organization(changes: dict[str, Any], expected: str | None) -> None:
    assert event_of(variant(changes)).external_org_id == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, "192.168.50.43", id="displayName"),
        pytest.param({"device.displayName": DELETE}, "ccesxi03.cc.local", id="systemName"),
        pytest.param({"device.displayName": " "}, "ccesxi03.cc.local", id="blank-displayName"),
        pytest.param({"device.displayName": None, "device.systemName": None}, None, id="none"),
        pytest.param({"device": DELETE}, None, id="no-device"),
    ],
)
def test_device_name(changes: dict[str, Any], expected: str | None) -> None:
    assert event_of(variant(changes)).device_name == expected


def test_device_id_falls_back_to_the_expanded_device() -> None:
    assert event_of(variant({"deviceId": DELETE, "device.id": 70})).external_device_id == "70"


@pytest.mark.parametrize(
    ("changes", "identity", "alert_class"),
    [
        pytest.param({}, CONDITION_UID, "vmm_cond_memory_usage_ge", id="all"),
        pytest.param(
            {"sourceConfigUid": DELETE},
            "vmm_cond_memory_usage_ge",
            "vmm_cond_memory_usage_ge",
            id="code",
        ),
        pytest.param(
            {"sourceConfigUid": "", "data": DELETE}, "_average_", "_average_", id="sourceName"
        ),
        pytest.param({"data.message": DELETE}, CONDITION_UID, "_average_", id="no-code"),
        pytest.param(
            {"sourceConfigUid": DELETE, "data": DELETE, "sourceName": ""}, None, None, id="none"
        ),
    ],
)
def test_condition_identity_and_alert_class(
    changes: dict[str, Any], identity: str | None, alert_class: str | None
) -> None:
    event = event_of(variant(changes))
    assert (event.condition_identity, event.alert_class) == (identity, alert_class)


def test_message_falls_back_to_the_code() -> None:
    event = event_of(variant({"message": DELETE}))
    assert event.message == "vmm_cond_memory_usage_ge"


def test_parse_accepts_a_bom() -> None:
    body = b"\xef\xbb\xbf" + fixture_bytes("ninjaone", "condition_triggered.json")
    assert WEBHOOK.parse(body) == fixture("ninjaone", "condition_triggered.json")


@pytest.mark.parametrize(
    "body",
    [b"", b"  \n", b"{not json", b"\xff\xfe garbage", b'{"id": 1', b"[]", b"[{}]", b'"text"'],
)
def test_unreadable_bodies_are_bad_payloads(body: bytes) -> None:
    with pytest.raises(BadPayload):
        WEBHOOK.normalize(WEBHOOK.parse(body), CTX)


@pytest.mark.parametrize("body", [b"", b" \r\n\t "])
def test_an_empty_body_is_named_in_the_error(body: bytes) -> None:
    with pytest.raises(BadPayload, match="empty body"):
        WEBHOOK.parse(body)


def test_a_json_list_is_named_in_the_error() -> None:
    payload = WEBHOOK.parse(json.dumps([fixture("ninjaone", "condition_triggered.json")]).encode())
    with pytest.raises(BadPayload, match="list"):
        WEBHOOK.normalize(payload, CTX)
