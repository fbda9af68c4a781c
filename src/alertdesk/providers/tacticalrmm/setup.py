"""Ready-to-paste URL Action templates for TacticalRMM (failure and resolved), secret filled in.

Every value is quoted, because Tactical substitutes Python str() text; script output is left
out because quotes in it would break the JSON.
"""

from __future__ import annotations

import json
from typing import Any

FIELDS = {
    "alert_id": "{{alert.id}}",
    "alert_type": "{{alert.alert_type}}",
    "severity": "{{alert.severity}}",
    "message": "{{alert.message}}",
    "alert_time": "{{alert.alert_time}}",
    "resolved": "{{alert.resolved}}",
    "resolved_on": "{{alert.resolved_on}}",
    "check_id": "{{alert.assigned_check.id}}",
    "check": "{{alert.assigned_check.readable_desc}}",
    "task_id": "{{alert.assigned_task.id}}",
    "task": "{{alert.assigned_task.name}}",
    "agent_id": "{{agent.agent_id}}",
    "hostname": "{{agent.hostname}}",
    "client_id": "{{client.id}}",
    "client": "{{client.name}}",
    "site_id": "{{site.id}}",
    "site": "{{site.name}}",
}


def url_action_templates(url: str, secret: str) -> dict[str, Any]:
    headers = json.dumps(
        {"Content-Type": "application/json", "X-Alertdesk-Secret": secret}, indent=4
    )

    def action(name: str, event: str) -> dict[str, str]:
        body = {"source": "tacticalrmm", "event": event, **FIELDS}
        return {
            "name": name,
            "action_type": "rest",
            "rest_method": "post",
            "pattern": url,
            "rest_body": json.dumps(body, indent=4),
            "rest_headers": headers,
        }

    return {
        "failure_action": action("alertdesk - alert failure", "trigger"),
        "resolved_action": action("alertdesk - alert resolved", "resolve"),
        "steps": [
            "Settings → Global Settings → URL Actions: add both actions (type REST, method POST).",
            "Settings → Alerts Manager: in your alert template pick them as the failure and "
            "resolved actions (type REST), and apply the template to your clients or agents.",
            "Leave 'Run actions only on' switched on for checks, tasks and availability.",
        ],
    }
