"""TacticalRMM URL Action deliveries through POST /webhooks/tacticalrmm/{id}: every fixture as
Tactical sends it (no Content-Type, "None" strings, string-literal bodies), resolves without
an alert id, and the PRD's criteria 1-3 through the same pipeline (criterion 5)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.testing.fakes import fixture_bytes
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, make_client
from tests.web.webhook_support import (
    Connected,
    add_rule,
    alerts,
    comment_bodies,
    connect_tactical,
    deliver,
    inbound_events,
    mapping_for,
    payload,
    ticket,
    tickets,
)

AGENT = "kBgMqvYwUeVQhMJrmxHsdbuxIOZpLfDUtXEnCkwa"
CHECK = "Disk Space Check: Drive C: -  Warning Threshold: 25% Error Threshold: 10%"
TRIGGER = "webhook_trigger.json"
AVAILABILITY = "webhook_trigger_availability.json"
RESOLVED = "webhook_resolved.json"


@dataclass(frozen=True)
class Tactical:
    integration: Connected
    client_id: str  # Acme Dental, auto-linked to Tactical client 3
    headers: dict[str, str]


@pytest.fixture
def tactical(client: TestClient, tenant: TenantCtx) -> Tactical:
    acme = make_client(client, tenant.headers, "Acme Dental")
    integration = connect_tactical(client, tenant.headers)
    assert mapping_for(client, integration, "3")["client_id"] == acme["id"]
    add_rule(client, integration)
    return Tactical(integration, acme["id"], tenant.headers)


def send(client: TestClient, tactical: Tactical, body: bytes) -> Json:
    """As Tactical posts: no Content-Type header."""
    response = deliver(client, tactical.integration, body, content_type=None)
    assert response.status_code == 200, response.text
    answer: Json = response.json()
    return answer


def post(client: TestClient, tactical: Tactical, name: str, **changes: object) -> Json:
    return send(client, tactical, payload("tacticalrmm", name, **changes))


def test_trigger_without_content_type_creates_a_ticket(
    client: TestClient, tactical: Tactical
) -> None:
    body = post(client, tactical, TRIGGER)
    assert (body["processed"], body["outcome"]) == (True, "ticket_created")
    [alert] = alerts(client, tactical.headers)
    assert alert["id"] == body["alert_id"]
    assert (alert["external_alert_id"], alert["external_device_id"]) == ("1423", AGENT)
    assert (alert["external_org_id"], alert["client_id"]) == ("3", tactical.client_id)
    assert (alert["severity"], alert["device_name"]) == ("critical", "FRONTDESK-01")
    assert alert["dedup_key"] == f"{AGENT}|{CHECK}"
    assert alert["triggered_at"].startswith("2026-06-16T14:03:22.512344")
    made = ticket(client, tactical.headers, body["ticket_id"])
    assert (made["client_id"], made["source"]) == (tactical.client_id, "tacticalrmm")
    [event] = inbound_events(client, tactical.integration)
    assert (event["content_type"], event["status"]) == (None, "processed")


def test_availability_trigger_opens_its_own_ticket(client: TestClient, tactical: Tactical) -> None:
    disk = post(client, tactical, TRIGGER)
    body = post(client, tactical, AVAILABILITY)
    assert body["outcome"] == "ticket_created"
    assert body["ticket_id"] != disk["ticket_id"]
    alert = next(a for a in alerts(client, tactical.headers) if a["id"] == body["alert_id"])
    assert alert["dedup_key"] == "QzhWrPAtYbNeFrsGKcdLwmVjuiXoDTyEnBlSpCaU|availability"
    assert (alert["alert_class"], alert["device_name"]) == ("availability", "RECEPTION-PC")


def test_resolved_closes_the_untouched_ticket(client: TestClient, tactical: Tactical) -> None:
    trigger = post(client, tactical, TRIGGER)
    body = post(client, tactical, RESOLVED)
    assert (body["outcome"], body["alert_id"]) == ("resolved", trigger["alert_id"])
    [alert] = alerts(client, tactical.headers)
    assert alert["status"] == "auto_resolved"
    assert alert["resolved_at"].startswith("2026-06-16T15:10:05.004211")
    closed = ticket(client, tactical.headers, trigger["ticket_id"])
    assert (closed["is_closed"], closed["closed_by_kind"]) == (True, "system")
    assert any(c["body"].startswith("Alert resolved in Tactical RMM") for c in closed["comments"])


def test_a_body_sent_as_a_json_string_literal_is_accepted(
    client: TestClient, tactical: Tactical
) -> None:
    text = fixture_bytes("tacticalrmm", TRIGGER).decode()
    body = send(client, tactical, json.dumps(text).encode())
    assert body["outcome"] == "ticket_created"
    assert alerts(client, tactical.headers)[0]["external_alert_id"] == "1423"


def test_a_string_literal_holding_broken_json_is_recovered_line_by_line(
    client: TestClient, tactical: Tactical
) -> None:
    """A value with quotes broke Tactical's JSON, so it sent the rendered text as a string."""
    message = 'FRONTDESK-01 script said "disk full" that failed.'
    text = fixture_bytes("tacticalrmm", TRIGGER).decode()
    broken = text.replace(json.dumps(json.loads(text)["message"]), f'"{message}"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken)
    body = send(client, tactical, json.dumps(broken).encode())
    assert body["outcome"] == "ticket_created"
    [alert] = alerts(client, tactical.headers)
    assert (alert["message"], alert["client_id"]) == (message, tactical.client_id)


def test_a_resolve_without_alert_id_matches_its_trigger_by_dedup_key(
    client: TestClient, tactical: Tactical
) -> None:
    early = post(client, tactical, RESOLVED, alert_id="None")  # no trigger yet: remembered
    assert early["outcome"] == "resolved"
    trigger = post(client, tactical, TRIGGER)
    post(client, tactical, AVAILABILITY)  # another open alert of the same client
    body = post(client, tactical, RESOLVED, alert_id="None")
    assert (body["outcome"], body["alert_id"]) == ("resolved", trigger["alert_id"])
    states = {a["external_alert_id"]: a["status"] for a in alerts(client, tactical.headers)}
    assert states == {
        "1423": "auto_resolved",
        "1424": "active",
        early_id(client, tactical, early): "resolved",
    }


def early_id(client: TestClient, tactical: Tactical, body: dict[str, Any]) -> str:
    reply = client.get(f"/api/v1/alerts/{body['alert_id']}", headers=tactical.headers)
    external_id: str = reply.json()["external_alert_id"]
    return external_id


def test_a_delivery_without_alert_id_and_a_long_check_name_is_processed(
    client: TestClient, tactical: Tactical
) -> None:
    check = "Event Log Check: " + "Errors from the line-of-business database service " * 4
    assert len(check) < 255  # fits every column on its own
    trigger = post(client, tactical, TRIGGER, alert_id="None", check=check)
    assert trigger["outcome"] == "ticket_created"
    resolve = post(client, tactical, RESOLVED, alert_id="None", check=check)
    assert (resolve["outcome"], resolve["alert_id"]) == ("resolved", trigger["alert_id"])


def test_resolved_true_without_an_event_means_resolve(
    client: TestClient, tactical: Tactical
) -> None:
    trigger = post(client, tactical, TRIGGER)
    body = post(client, tactical, TRIGGER, event="None", resolved="True")
    assert (body["outcome"], body["alert_id"]) == ("resolved", trigger["alert_id"])


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("error", "critical"), ("warning", "moderate"), ("info", "minor"), ("Major", "major")],
)
def test_severity_words_are_mapped(
    client: TestClient, tactical: Tactical, sent: str, stored: str
) -> None:
    post(client, tactical, TRIGGER, severity=sent)
    assert alerts(client, tactical.headers)[0]["severity"] == stored


def test_redelivery_is_skipped_without_duplicates(client: TestClient, tactical: Tactical) -> None:
    first = post(client, tactical, TRIGGER)
    again = post(client, tactical, TRIGGER)
    assert (again["outcome"], again["alert_id"]) == ("skipped", first["alert_id"])
    assert post(client, tactical, RESOLVED)["outcome"] == "resolved"
    assert post(client, tactical, RESOLVED)["outcome"] == "skipped"
    assert len(alerts(client, tactical.headers)) == 1
    assert len(tickets(client, tactical.headers)) == 1


def test_a_resolve_before_its_trigger_means_the_late_trigger_opens_no_ticket(
    client: TestClient, tactical: Tactical
) -> None:
    early = post(client, tactical, RESOLVED)
    assert (early["processed"], early["outcome"]) == (True, "resolved")
    late = post(client, tactical, TRIGGER)
    assert (late["outcome"], late["alert_id"], late["ticket_id"]) == (
        "recorded_only",
        early["alert_id"],
        None,
    )
    [alert] = alerts(client, tactical.headers)
    assert (alert["status"], alert["ticket_id"]) == ("resolved", None)
    assert client.get("/api/v1/tickets", headers=tactical.headers).json() == []


def render(template: str, resolved: bool) -> str:
    """What Tactical does to a URL Action template: str() of each value, no JSON escaping."""
    values = {"alert.id": "1423", "alert.alert_type": "check", "alert.severity": "error",
              "alert.message": "FRONTDESK-01 disk check failed", "alert.resolved": str(resolved),
              "alert.alert_time": "2026-06-16 14:03:22.512344+00:00",
              "alert.resolved_on": "2026-06-16 15:10:05+00:00" if resolved else "None",
              "alert.assigned_check.id": "311", "alert.assigned_check.readable_desc": CHECK,
              "agent.agent_id": AGENT, "agent.hostname": "FRONTDESK-01", "client.id": "3",
              "client.name": "Acme Dental", "site.id": "7", "site.name": "Main Office"}  # fmt: skip
    return re.sub(r"\{\{\s*([\w.\- ]+?)\s*\}\}", lambda m: values.get(m[1], "None"), template)


def test_the_url_actions_we_hand_out_work_as_tactical_renders_them(
    client: TestClient, tactical: Tactical
) -> None:
    url = f"/api/v1/integrations/{tactical.integration.id}/webhook-setup"
    setup = client.get(url, headers=tactical.headers).json()["tacticalrmm"]
    answers = []
    for action, resolved in (("failure_action", False), ("resolved_action", True)):
        template = setup[action]
        headers = json.loads(render(template["rest_headers"], resolved))
        body = json.dumps(json.loads(render(template["rest_body"], resolved), strict=False))
        response = client.post(template["pattern"], content=body.encode(), headers=headers)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    assert [a["outcome"] for a in answers] == ["ticket_created", "resolved"]
    assert answers[1]["alert_id"] == answers[0]["alert_id"]
    assert ticket(client, tactical.headers, answers[0]["ticket_id"])["is_closed"] is True


# --- PRD criterion 5: Tactical through the same pipeline as criteria 1-3 ---------------------


def test_prd_refiring_joins_the_open_ticket_and_the_last_resolve_closes_it(
    client: TestClient, tactical: Tactical
) -> None:
    first = post(client, tactical, TRIGGER)
    refire = post(client, tactical, TRIGGER, alert_id="1500", alert_time="2026-06-16 16:00:00")
    assert (refire["outcome"], refire["ticket_id"]) == ("occurrence_appended", first["ticket_id"])
    assert any("2nd occurrence" in n for n in comment_bodies(client, tactical.headers,
                                                              first["ticket_id"]))  # fmt: skip
    assert len(tickets(client, tactical.headers)) == 1
    assert post(client, tactical, RESOLVED)["outcome"] == "resolved"
    still = ticket(client, tactical.headers, first["ticket_id"])
    assert still["is_closed"] is False  # alert 1500 is still active on it
    last = post(client, tactical, RESOLVED, alert_id="1500", resolved_on="2026-06-16 16:30:00")
    assert last["outcome"] == "resolved"
    assert ticket(client, tactical.headers, first["ticket_id"])["closed_by_kind"] == "system"
    fresh = post(client, tactical, TRIGGER, alert_id="1501", alert_time="2026-06-16 17:00:00")
    assert fresh["outcome"] == "ticket_created"
    assert fresh["ticket_id"] != first["ticket_id"]


def test_prd_resolve_comments_a_touched_ticket_and_leaves_it_open(
    client: TestClient, tactical: Tactical
) -> None:
    trigger = post(client, tactical, TRIGGER)
    url = f"/api/v1/tickets/{trigger['ticket_id']}/comments"
    assert client.post(url, json={"body": "looking"}, headers=tactical.headers).status_code == 201
    assert post(client, tactical, RESOLVED)["outcome"] == "resolved"
    kept = ticket(client, tactical.headers, trigger["ticket_id"])
    assert kept["is_closed"] is False
    assert any(c["body"].startswith("Alert resolved in Tactical RMM") for c in kept["comments"])
    assert alerts(client, tactical.headers)[0]["status"] == "resolved"
