"""A test alert in the shape of a real TacticalRMM URL Action delivery (a failed disk check on
an agent of the given client), for the "Send test alert" button."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alertdesk.providers.base import ExternalOrg

HOST = "ALERTDESK-TEST"
CHECK = "Disk Space Check: Drive C: -  Warning Threshold: 25% Error Threshold: 10%"


def sample_alert(org: ExternalOrg | None, serial: int, now: datetime) -> dict[str, Any]:
    return {
        "source": "tacticalrmm", "event": "trigger", "alert_id": str(serial),
        "alert_type": "check", "severity": "error",
        "message": f"Test alert from alertdesk: {HOST} has a diskspace check: {CHECK} that failed.",
        "alert_time": str(now), "resolved": "None", "resolved_on": "None",
        "agent_id": f"alertdesk-test-{serial}", "hostname": HOST, "monitoring_type": "workstation",
        "plat": "windows", "client_id": org.external_id if org else "None",
        "client": org.name if org else "None", "site_id": "None", "site": "None",
        "check": CHECK, "task": "None", "result_stdout": "None",
    }  # fmt: skip
