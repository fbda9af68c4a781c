"""What is wrong, as each provider reads it from its own payload (`AlertEvent.summary`)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from alertdesk.core.types import AlertEvent
from alertdesk.providers.ninjaone.summary import summarize as ninja
from alertdesk.providers.tacticalrmm.summary import summarize as tactical

P = pytest.param
EVENT = AlertEvent(
    tenant=uuid.uuid4(), integration_id=uuid.uuid4(), provider="x", kind="triggered",
    external_alert_id="1", occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
)  # fmt: skip


def ninja_raw(code: Any, **params: Any) -> dict[str, Any]:
    return {"data": {"message": {"code": code, "params": params}}}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        P(ninja_raw("agent_win_cond_disk_free_le", volume="D:", unit="%", threshold="10"),
          "Disk D: free space at or below 10%", id="disk-percent"),
        P(ninja_raw("agent_win_cond_disk_free_gt", unit="GB", threshold=50),
          "Disk free space at or above 50 GB", id="disk-absolute-no-volume"),
        P(ninja_raw("agent_win_cond_disk_free_le", volume="C:"), None, id="disk-no-threshold"),
        P(ninja_raw("conditions_device_offline", durationOffline="15"),
          "Device offline for 15 minutes", id="offline-minutes"),
        P(ninja_raw("conditions_device_offline", durationOffline="soon"), "Device offline",
          id="offline-unparsed"),
        P(ninja_raw("agent_cond_script_result", condition_name="Backup age"),
          "Script condition triggered: Backup age", id="script"),
        P(ninja_raw("agent_cond_script_result"), None, id="script-without-name"),
        P(ninja_raw("vmm_cond_memory_usage_ge"), None, id="other-codes-leave-it-to-the-text"),
        P({"data": {"message": "text"}}, None, id="message-not-an-object"),
        P({"data": None}, None, id="no-data"),
        P(ninja_raw("agent_win_cond_disk_free_le", threshold={"x": 1}), None, id="odd-param"),
    ],
)  # fmt: skip
def test_ninjaone(raw: dict[str, Any], expected: str | None) -> None:
    assert ninja(replace(EVENT, raw=raw)) == expected


@pytest.mark.parametrize(
    ("message", "alert_class", "expected"),
    [
        P("FS01 has a diskspace check: Disk Space Check: Drive C: 10% that failed.", "check",
          "Disk Space Check failed: Drive C: 10%", id="check"),
        P("FS01 has a ping check: Ping router that failed.", "check", "Ping router failed",
          id="check-without-detail"),
        P("FS01 has task: Nightly backup that failed.", "task", "Task failed: Nightly backup",
          id="task"),
        P("RECEPTION-PC in Acme Dental, Main Office is overdue.", "availability",
          "Agent is overdue (not checking in)", id="overdue"),
        P("Something else entirely", "check", None, id="other-text-stays-as-it-is"),
        P(None, "check", "Check failed", id="no-message-kind"),
        P("", "TASK", "Task failed", id="empty-message-kind-any-case"),
        P("check", "mystery", None, id="code-message-unknown-kind"),
    ],
)  # fmt: skip
def test_tactical(message: str | None, alert_class: str, expected: str | None) -> None:
    assert tactical(replace(EVENT, message=message, alert_class=alert_class)) == expected
