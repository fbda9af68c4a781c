"""A test alert in the shape of a real NinjaOne condition webhook (disk space on a device of the
given organization), for the "Send test alert" button."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from alertdesk.providers.base import ExternalOrg

DEVICE = "ALERTDESK-TEST"


def sample_alert(org: ExternalOrg | None, serial: int, now: datetime) -> dict[str, Any]:
    org_id = int(org.external_id) if org and org.external_id.isdigit() else 0
    stamp = now.timestamp()
    return {
        "id": serial,
        "activityTime": stamp,
        "deviceId": 0,
        "severity": "MAJOR",
        "priority": "HIGH",
        "seriesUid": str(uuid.uuid4()),
        "activityType": "CONDITION",
        "statusCode": "TRIGGERED",
        "status": "Triggered",
        "sourceConfigUid": f"alertdesk-test-{serial}",
        "sourceName": "",
        "subject": "C:",
        "message": "Test alert from alertdesk: Disk Volume Free space for 'C:' is less than or "
        "equal to 15%",
        "type": "Condition",
        "data": {"message": {"code": "agent_win_cond_disk_free_le",
                             "params": {"volume": "C:", "unit": "%", "threshold": "15"}}},
        "device": {
            "id": 0, "organizationId": org_id, "nodeClass": "WINDOWS_WORKSTATION",
            "displayName": DEVICE, "systemName": DEVICE, "offline": False,
            "references": {"organization": {"id": org_id, "name": org.name if org else ""}},
        },
    }  # fmt: skip
