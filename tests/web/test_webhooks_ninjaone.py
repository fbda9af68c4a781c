"""NinjaOne deliveries through POST /webhooks/ninjaone/{id}: every captured fixture, the
seriesUid lifecycle, redelivery, and the PRD's acceptance criteria 1-3 end to end."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TenantCtx
from tests.web.api_helpers import (
    Json,
    created,
    default_board,
    make_board,
    make_client,
    priority_id,
    status_id,
)
from tests.web.webhook_support import (
    Connected,
    add_rule,
    alerts,
    comment_bodies,
    connect_ninja,
    deliver,
    get,
    inbound_events,
    map_org,
    mapping_for,
    payload,
    processed,
    ticket,
    tickets,
)

SERIES = "e6b0b0bd-5753-445d-9e4a-71c08983cbd5"
CONDITION = "205b85b2-8a12-4123-834f-164be08b3314"
TRIGGERED = "condition_triggered.json"
RESET = "condition_reset.json"
DISK = "condition_triggered_disk.json"


@dataclass(frozen=True)
class Ninja:
    integration: Connected
    client_id: str  # what organization 2 (KMSP Radio Station) is auto-linked to
    headers: dict[str, str]


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Ninja:
    kmsp = make_client(client, tenant.headers, "KMSP Radio Station")
    integration = connect_ninja(client, tenant.headers)
    assert mapping_for(client, integration, "2")["client_id"] == kmsp["id"]
    add_rule(client, integration)  # catch-all, auto-resolving
    return Ninja(integration, kmsp["id"], tenant.headers)


def post(client: TestClient, ninja: Ninja, name: str, **changes: object) -> Json:
    response = deliver(client, ninja.integration, payload("ninjaone", name, **changes))
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def expect(client: TestClient, ninja: Ninja, name: str, outcome: str) -> Json:
    return processed(deliver(client, ninja.integration, payload("ninjaone", name)), outcome)


def test_condition_triggered_creates_a_ticket_for_the_client_org_2_maps_to(
    client: TestClient, ninja: Ninja
) -> None:
    body = expect(client, ninja, TRIGGERED, "ticket_created")
    assert body["ticket_id"] is not None
    [alert] = alerts(client, ninja.headers)
    assert alert["id"] == body["alert_id"]
    assert alert["external_alert_id"] == SERIES
    assert alert["external_org_id"] == "2"
    assert alert["client_id"] == ninja.client_id
    assert alert["dedup_key"] == f"7|{CONDITION}"
    assert alert["alert_class"] == "vmm_cond_memory_usage_ge"
    assert alert["device_name"] == "192.168.50.43"
    assert alert["severity"] == "none"  # the capture has no severity
    assert alert["triggered_at"].startswith("2025-03-19T13:41:15.556")
    made = ticket(client, ninja.headers, body["ticket_id"])
    assert (made["client_id"], made["source"]) == (ninja.client_id, "ninjaone")
    assert made["source_reference"] == SERIES
    [event] = inbound_events(client, ninja.integration)
    assert (event["status"], event["auth_method"]) == ("processed", "header")
    assert event["outcome"]["outcome"] == "ticket_created"


def test_condition_reset_resolves_and_the_system_closes_the_untouched_ticket(
    client: TestClient, ninja: Ninja
) -> None:
    trigger = expect(client, ninja, TRIGGERED, "ticket_created")
    reset = expect(client, ninja, RESET, "resolved")
    assert (reset["alert_id"], reset["ticket_id"]) == (trigger["alert_id"], trigger["ticket_id"])
    [alert] = alerts(client, ninja.headers)
    assert alert["status"] == "auto_resolved"
    assert alert["resolved_at"].startswith("2025-03-19T13:51:15.118")
    closed = ticket(client, ninja.headers, trigger["ticket_id"])
    assert (closed["is_closed"], closed["closed_by_kind"]) == (True, "system")
    notes = [c["body"] for c in closed["comments"] if c["is_system"]]
    assert any(n.startswith("Alert resolved in NinjaOne") for n in notes), notes
    assert any("closed automatically" in n for n in notes), notes
    # PRD 2: once the ticket is closed, the condition firing again opens a new ticket
    again = post(client, ninja, TRIGGERED, seriesUid="new-series", id=177400)
    assert again["outcome"] == "ticket_created"
    assert again["ticket_id"] != trigger["ticket_id"]


def test_condition_triggered_disk_for_an_org_nobody_mapped_is_recorded_only(
    client: TestClient, ninja: Ninja
) -> None:
    body = post(client, ninja, DISK)  # organization 3: not synced
    assert body["processed"] is False
    assert "not mapped" in body["reason"]
    [alert] = alerts(client, ninja.headers)
    assert alert["id"] == body["alert_id"]
    assert (alert["external_org_id"], alert["client_id"], alert["ticket_id"]) == ("3", None, None)
    assert (alert["severity"], alert["device_name"]) == ("major", "FRONTDESK-01")
    assert tickets(client, ninja.headers) == []


def test_condition_triggered_disk_on_a_linked_device_goes_to_the_assets_client(
    client: TestClient, ninja: Ninja
) -> None:
    acme = make_client(client, ninja.headers, "Acme Dental")
    asset_body = {"client_id": acme["id"], "name": "FRONTDESK-01",
                  "external_refs": [{"provider": "ninjaone", "external_id": "1255"}]}  # fmt: skip
    asset = created(client.post("/api/v1/assets", json=asset_body, headers=ninja.headers))
    body = expect(client, ninja, DISK, "ticket_created")
    made = ticket(client, ninja.headers, body["ticket_id"])
    assert made["client_id"] == acme["id"]
    assert made["asset_ids"] == [asset["id"]]


def test_unmapped_org_answers_processed_false_and_keeps_the_alert(
    client: TestClient, ninja: Ninja
) -> None:
    mapping = mapping_for(client, ninja.integration, "2")
    url = f"/api/v1/integrations/{ninja.integration.id}/org-mappings/{mapping['id']}"
    assert client.patch(url, json={"client_id": None}, headers=ninja.headers).status_code == 200
    body = post(client, ninja, TRIGGERED)
    assert body["processed"] is False
    assert "not mapped" in body["reason"]
    [alert] = alerts(client, ninja.headers)
    assert (alert["id"], alert["client_id"], alert["status"]) == (body["alert_id"], None, "active")
    assert tickets(client, ninja.headers) == []


def test_activity_monitor_reboot_is_acknowledged_without_processing(
    client: TestClient, ninja: Ninja
) -> None:
    body = post(client, ninja, "activity_monitor_reboot.json")
    assert body["processed"] is False
    assert "MONITOR" in body["reason"]
    assert alerts(client, ninja.headers) == []
    assert inbound_events(client, ninja.integration)[0]["status"] == "ignored"


def test_unknown_status_code_is_ignored_with_200(client: TestClient, ninja: Ninja) -> None:
    body = post(client, ninja, TRIGGERED, statusCode="DISABLED")
    assert body["processed"] is False
    assert "DISABLED" in body["reason"]
    assert alerts(client, ninja.headers) == []


def test_status_code_and_activity_type_are_case_insensitive(
    client: TestClient, ninja: Ninja
) -> None:
    body = post(client, ninja, TRIGGERED, statusCode="triggered", activityType="condition")
    assert body["outcome"] == "ticket_created"
    assert post(client, ninja, RESET, statusCode="Reset")["outcome"] == "resolved"


def test_fallbacks_org_reference_system_name_activity_id_and_default_severity(
    client: TestClient, ninja: Ninja
) -> None:
    url = f"/api/v1/integrations/{ninja.integration.id}"
    body = {"settings": {"default_severity": "moderate"}}
    assert client.patch(url, json=body, headers=ninja.headers).status_code == 200
    activity = json.loads(payload("ninjaone", TRIGGERED))
    for key in ("seriesUid", "activityType"):  # "type": "Condition" is still there
        del activity[key]
    for key in ("organizationId", "displayName"):
        del activity["device"][key]
    activity["activityTime"] = 1742391675556  # milliseconds
    answer = deliver(client, ninja.integration, json.dumps(activity).encode())
    processed(answer, "ticket_created")
    [alert] = alerts(client, ninja.headers)
    assert (alert["external_alert_id"], alert["client_id"]) == ("177210", ninja.client_id)
    assert (alert["device_name"], alert["severity"]) == ("ccesxi03.cc.local", "moderate")
    assert alert["triggered_at"].startswith("2025-03-19T13:41:15.556")


def test_acknowledged_stamps_the_alert(client: TestClient, ninja: Ninja) -> None:
    trigger = post(client, ninja, TRIGGERED)
    ack = post(client, ninja, RESET, statusCode="ACKNOWLEDGED")
    assert (ack["outcome"], ack["alert_id"]) == ("acknowledged", trigger["alert_id"])
    assert alerts(client, ninja.headers)[0]["status"] == "acknowledged"


def test_reset_matches_its_trigger_by_series_uid(client: TestClient, ninja: Ninja) -> None:
    trigger = post(client, ninja, TRIGGERED)
    stranger = post(client, ninja, RESET, seriesUid="another-series")  # kept as resolved
    assert stranger["outcome"] == "resolved"
    assert stranger["alert_id"] != trigger["alert_id"]
    # another activity id, condition and device: only seriesUid ties it to the trigger
    reset = post(client, ninja, RESET, sourceConfigUid="other", deviceId=99, id=1)
    assert (reset["outcome"], reset["alert_id"]) == ("resolved", trigger["alert_id"])
    states = {a["id"]: a["status"] for a in alerts(client, ninja.headers)}
    assert states == {trigger["alert_id"]: "auto_resolved", stranger["alert_id"]: "resolved"}


def test_redelivered_trigger_and_reset_are_skipped_without_duplicates(
    client: TestClient, ninja: Ninja
) -> None:
    first = post(client, ninja, TRIGGERED)
    again = post(client, ninja, TRIGGERED)
    assert again["outcome"] == "skipped"
    assert (again["alert_id"], again["ticket_id"]) == (first["alert_id"], first["ticket_id"])
    assert post(client, ninja, RESET)["outcome"] == "resolved"
    notes = comment_bodies(client, ninja.headers, first["ticket_id"])
    assert post(client, ninja, RESET)["outcome"] == "skipped"
    assert post(client, ninja, TRIGGERED)["outcome"] == "skipped"  # a late copy after the reset
    assert comment_bodies(client, ninja.headers, first["ticket_id"]) == notes
    assert len(alerts(client, ninja.headers)) == 1
    assert len(tickets(client, ninja.headers)) == 1
    assert len(inbound_events(client, ninja.integration)) == 5


def test_a_reset_before_its_trigger_means_the_late_trigger_opens_no_ticket(
    client: TestClient, ninja: Ninja
) -> None:
    early = post(client, ninja, RESET)
    assert (early["processed"], early["outcome"]) == (True, "resolved")
    late = post(client, ninja, TRIGGERED)
    assert (late["outcome"], late["alert_id"], late["ticket_id"]) == (
        "recorded_only",
        early["alert_id"],
        None,
    )
    [alert] = alerts(client, ninja.headers)
    assert (alert["status"], alert["ticket_id"]) == ("resolved", None)
    assert tickets(client, ninja.headers) == []


# --- PRD acceptance criteria 1-3 ----------------------------------------------------------


def test_prd_1_trigger_creates_a_correctly_routed_ticket_within_the_request(
    client: TestClient, ninja: Ninja
) -> None:
    board = make_board(client, ninja.headers, "NOC", [{"name": "Triage", "is_default": True},
                       {"name": "Done", "is_closed": True}])  # fmt: skip
    high = priority_id(client, ninja.headers, "High")
    [rule] = get(client, ninja.headers, f"/integrations/{ninja.integration.id}/alert-rules")
    routing = {"board_id": board["id"], "priority_override": high,
               "title_template": "{{device}} at {{organization}}"}  # fmt: skip
    replaced = client.put(f"/api/v1/alert-rules/{rule['id']}", headers=ninja.headers,
                          json={"name": "route", "actions": routing})  # fmt: skip
    assert replaced.status_code == 200, replaced.text
    body = post(client, ninja, TRIGGERED)
    made = ticket(client, ninja.headers, body["ticket_id"])  # visible as soon as we answered
    assert made["board_id"] == board["id"]
    assert made["status_id"] == status_id(board, "Triage")
    assert made["priority_id"] == high
    assert made["client_id"] == ninja.client_id
    assert made["title"] == "192.168.50.43 at KMSP Radio Station"
    assert made["alerts"][0]["id"] == body["alert_id"]


def test_prd_2_refiring_while_the_ticket_is_open_adds_occurrences_only(
    client: TestClient, ninja: Ninja
) -> None:
    first = post(client, ninja, TRIGGERED)
    for n, series in enumerate(("series-2", "series-3"), start=2):
        body = post(client, ninja, TRIGGERED, seriesUid=series, id=177210 + n)
        assert (body["outcome"], body["ticket_id"]) == ("occurrence_appended", first["ticket_id"])
    notes = comment_bodies(client, ninja.headers, first["ticket_id"])
    assert any("2nd occurrence" in n for n in notes), notes
    assert any("3rd occurrence" in n for n in notes), notes
    assert len(tickets(client, ninja.headers)) == 1
    opener = next(a for a in alerts(client, ninja.headers) if a["id"] == first["alert_id"])
    assert opener["occurrence_count"] == 3
    close = client.post(f"/api/v1/tickets/{first['ticket_id']}/close", headers=ninja.headers)
    assert close.status_code == 200, close.text
    later = post(client, ninja, TRIGGERED, seriesUid="series-4", id=177300)
    assert later["outcome"] == "ticket_created"
    assert later["ticket_id"] != first["ticket_id"]


@pytest.mark.parametrize("touch", ["comment", "time entry", "status change"])
def test_prd_3_reset_comments_a_touched_ticket_and_leaves_it_open(
    client: TestClient, ninja: Ninja, touch: str
) -> None:
    trigger = post(client, ninja, TRIGGERED)
    url = f"/api/v1/tickets/{trigger['ticket_id']}"
    if touch == "comment":
        response = client.post(f"{url}/comments", json={"body": "on it"}, headers=ninja.headers)
    elif touch == "time entry":
        response = client.post(f"{url}/time-entries", json={"minutes": 5}, headers=ninja.headers)
    else:
        working = status_id(default_board(client, ninja.headers), "In Progress")
        response = client.patch(url, json={"status_id": working}, headers=ninja.headers)
    assert response.status_code in (200, 201), response.text
    assert post(client, ninja, RESET)["outcome"] == "resolved"
    kept = ticket(client, ninja.headers, trigger["ticket_id"])
    assert kept["is_closed"] is False
    assert any(c["body"].startswith("Alert resolved in NinjaOne") for c in kept["comments"])
    assert alerts(client, ninja.headers)[0]["status"] == "resolved"
    # the condition firing again while the worked ticket is still open joins it
    again = post(client, ninja, TRIGGERED, seriesUid="series-2", id=177500)
    assert (again["outcome"], again["ticket_id"]) == ("occurrence_appended", trigger["ticket_id"])


def test_map_org_by_hand_routes_to_the_chosen_client(client: TestClient, ninja: Ninja) -> None:
    other = make_client(client, ninja.headers, "Country Consulting")
    map_org(client, ninja.integration, "2", other["id"])
    body = post(client, ninja, TRIGGERED)
    assert ticket(client, ninja.headers, body["ticket_id"])["client_id"] == other["id"]
