"""T006: the dedup key is `<device or no-device>|<first known condition identity>`, max 255."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from alertdesk.core.dedup import MAX_LENGTH, dedup_key
from alertdesk.core.types import AlertEvent

BASE = AlertEvent(
    tenant=uuid.UUID(int=1),
    integration_id=uuid.UUID(int=2),
    provider="ninjaone",
    kind="triggered",
    external_alert_id="alert-1",
    occurred_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
)
ALL_IDENTITIES: dict[str, Any] = {
    "condition_identity": "DISK_SPACE",
    "alert_class": "CLASS",
    "activity_type": "ACTIVITY",
    "source_type": "SOURCE",
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"external_device_id": "dev-1", "condition_identity": "DISK_SPACE"},
            "dev-1|DISK_SPACE",
            id="reference-example",
        ),
        pytest.param(
            {"external_device_id": "dev-1", **ALL_IDENTITIES},
            "dev-1|DISK_SPACE",
            id="condition-identity-wins-over-everything",
        ),
        pytest.param(
            {"external_device_id": "dev-1", "alert_class": "CLASS", "activity_type": "ACTIVITY"},
            "dev-1|CLASS",
            id="falls-back-to-alert-class",
        ),
        pytest.param(
            {"external_device_id": "dev-1", "activity_type": "ACTIVITY", "source_type": "SOURCE"},
            "dev-1|ACTIVITY",
            id="falls-back-to-activity-type",
        ),
        pytest.param(
            {"external_device_id": "dev-1", "source_type": "SOURCE"},
            "dev-1|SOURCE",
            id="falls-back-to-source-type",
        ),
        pytest.param(
            {"external_device_id": "dev-1"},
            "dev-1|unknown",
            id="no-identity-is-unknown",
        ),
        pytest.param(
            {"condition_identity": "DISK_SPACE"},
            "no-device|DISK_SPACE",
            id="no-device",
        ),
        pytest.param({}, "no-device|unknown", id="nothing-known"),
    ],
)
def test_dedup_key(fields: dict[str, Any], expected: str) -> None:
    assert dedup_key(replace(BASE, **fields)) == expected


@pytest.mark.parametrize(
    ("device", "condition", "expected_length"),
    [
        pytest.param("d" * 100, "c" * 100, 201, id="short-key-kept-whole"),
        pytest.param("d" * 127, "c" * 127, 255, id="exactly-255-kept"),
        pytest.param("d" * 200, "c" * 200, 255, id="long-condition-truncated"),
        pytest.param("d" * 300, "c", 255, id="long-device-truncated"),
    ],
)
def test_dedup_key_is_truncated_to_255(device: str, condition: str, expected_length: int) -> None:
    event = replace(BASE, external_device_id=device, condition_identity=condition)
    key = dedup_key(event)
    assert MAX_LENGTH == 255
    assert len(key) == expected_length
    assert key == f"{device}|{condition}"[:255]


def test_same_device_and_condition_share_a_key_across_alerts() -> None:
    first = replace(BASE, external_device_id="dev-1", condition_identity="DISK_SPACE")
    repeat = replace(first, external_alert_id="alert-2", message="again", severity="critical")
    other_device = replace(first, external_device_id="dev-2")
    assert dedup_key(first) == dedup_key(repeat)
    assert dedup_key(first) != dedup_key(other_device)
