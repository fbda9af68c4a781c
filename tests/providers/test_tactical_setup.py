"""TacticalRMM URL Action templates: valid JSON, quoted placeholders, and what they render to."""

from __future__ import annotations

import json
import re

import pytest

from alertdesk.providers import REGISTRY
from alertdesk.providers.tacticalrmm.setup import url_action_templates
from tests.providers.tactical_support import (
    AGENT,
    ALERT_TIME,
    CHECK,
    DISK_MESSAGE,
    PLACEHOLDER,
    RESOLVED_ON,
    WEBHOOK,
    disk_event,
    event_of,
)

URL = "https://desk.example/webhooks/tacticalrmm/5b0f6a35-6d5b-4e43-8a4e-0d0c6f4e4a11"
SECRET = 'sëcret-"quoted"-value'
SAMPLE: dict[str, object] = {
    "alert.id": 1423,
    "alert.alert_type": "check",
    "alert.severity": "error",
    "alert.message": DISK_MESSAGE,
    "alert.alert_time": ALERT_TIME,
    "alert.resolved": False,
    "alert.resolved_on": None,
    "alert.assigned_check.id": 311,
    "alert.assigned_check.readable_desc": CHECK,
    "alert.assigned_task.id": None,
    "alert.assigned_task.name": None,
    "agent.agent_id": AGENT,
    "agent.hostname": "FRONTDESK-01",
    "client.id": 3,
    "client.name": "Acme Dental",
    "site.id": 7,
    "site.name": "Main Office",
}


def tactical_send(template: str, values: dict[str, object]) -> bytes:
    """Render like Tactical: str() of each value (falsy → "None"), then re-send as JSON."""

    def value(match: re.Match[str]) -> str:
        found = values[match.group(0)[2:-2].strip()]
        return str(found) if found else "None"

    rendered = PLACEHOLDER.sub(value, template)
    try:
        return json.dumps(json.loads(rendered, strict=False)).encode()
    except json.JSONDecodeError:
        return json.dumps(rendered).encode()  # requests' json= of the unparsed text


def test_registry_offers_the_templates_for_tactical_only() -> None:
    assert REGISTRY["tacticalrmm"].webhook_setup is url_action_templates
    assert REGISTRY["ninjaone"].webhook_setup is None


@pytest.mark.parametrize(
    ("key", "event"), [("failure_action", "trigger"), ("resolved_action", "resolve")]
)
def test_templates_are_valid_json_with_quoted_placeholders(key: str, event: str) -> None:
    action = url_action_templates(URL, SECRET)[key]
    assert (action["action_type"], action["rest_method"], action["pattern"]) == (
        "rest",
        "post",
        URL,
    )
    body = json.loads(action["rest_body"])
    assert (body["source"], body["event"]) == ("tacticalrmm", event)
    assert all(isinstance(v, str) for v in body.values())
    placeholders = {k: v for k, v in body.items() if k not in ("source", "event")}
    assert all(PLACEHOLDER.fullmatch(v) for v in placeholders.values()), placeholders
    assert {"alert_id", "agent_id", "client_id", "check_id", "alert_time"} <= placeholders.keys()
    assert "get_result" not in action["rest_body"]  # script output would break the JSON
    headers = json.loads(action["rest_headers"])
    assert headers == {"Content-Type": "application/json", "X-Alertdesk-Secret": SECRET}


def test_rendered_failure_action_normalizes() -> None:
    template = url_action_templates(URL, SECRET)["failure_action"]["rest_body"]
    event = event_of(WEBHOOK.parse(tactical_send(template, SAMPLE)))
    raw = dict(event.raw)
    assert event == disk_event("webhook_trigger.json", condition_identity="311", raw=raw)
    assert raw["resolved"] == "None"


def test_rendered_resolved_action_closes_the_same_alert() -> None:
    template = url_action_templates(URL, SECRET)["resolved_action"]["rest_body"]
    values = SAMPLE | {"alert.resolved": True, "alert.resolved_on": RESOLVED_ON}
    event = event_of(WEBHOOK.parse(tactical_send(template, values)))
    assert (event.kind, event.occurred_at, event.external_alert_id) == (
        "reset",
        RESOLVED_ON,
        "1423",
    )
    assert (event.condition_identity, event.match_by_dedup_key) == ("311", False)


def test_rendered_action_with_quotes_in_a_value_is_recovered() -> None:
    template = url_action_templates(URL, SECRET)["failure_action"]["rest_body"]
    message = 'FS01 has a winsvc check: Service "Print Spooler" that failed.'
    body = tactical_send(template, SAMPLE | {"alert.message": message})
    assert isinstance(json.loads(body), str)  # Tactical fell back to a string literal
    event = event_of(WEBHOOK.parse(body))
    assert (event.message, event.external_alert_id, event.condition_identity) == (
        message,
        "1423",
        "311",
    )
    assert (event.occurred_at, event.severity, event.external_org_id) == (
        ALERT_TIME,
        "critical",
        "3",
    )
