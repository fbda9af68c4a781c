"""The webhook endpoint's edges: authentication, bad bodies, size limit, unknown/inactive
integrations, the inbound-events log (failures and replay: test_webhooks_replay.py),
tenant isolation, and no vendor calls on the request path."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from alertdesk.testing.fakes import FakeVendors
from tests.conftest import TenantCtx
from tests.web.api_helpers import make_client
from tests.web.webhook_support import (
    Auth,
    Connected,
    add_rule,
    alerts,
    chunks,
    connect_ninja,
    connect_tactical,
    deliver,
    get,
    inbound_events,
    payload,
    processed,
    sign,
    tickets,
    vendor_requests,
)

MIB = 1024 * 1024
TRIGGER = payload("ninjaone", "condition_triggered.json")
NUL_TRIGGER = payload(
    "ninjaone", "condition_triggered.json", seriesUid="nul-series", message="disk\u0000full"
)


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Connected:
    make_client(client, tenant.headers, "KMSP Radio Station")  # organization 2 auto-links to it
    integration = connect_ninja(client, tenant.headers)
    add_rule(client, integration)
    return integration


# --- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_missing_or_wrong_secret_is_401_and_nothing_is_stored(
    client: TestClient, ninja: Connected, secret: str | None
) -> None:
    auth: Auth = "none" if secret is None else "header"
    response = deliver(client, ninja, TRIGGER, auth=auth, secret=secret)
    assert response.status_code == 401, response.text
    assert inbound_events(client, ninja) == []
    assert alerts(client, ninja.admin) == []


def test_token_query_parameter_authenticates(client: TestClient, ninja: Connected) -> None:
    assert deliver(client, ninja, TRIGGER, auth="token", secret="nope").status_code == 401
    processed(deliver(client, ninja, TRIGGER, auth="token"), "ticket_created")
    [event] = inbound_events(client, ninja)
    assert event["auth_method"] == "token"


def test_hmac_signature_authenticates_only_the_signed_body(
    client: TestClient, ninja: Connected
) -> None:
    wrong_key = deliver(client, ninja, TRIGGER, auth="signature", secret="someone-else")
    assert wrong_key.status_code == 401
    signed_other = {"X-Alertdesk-Signature": sign(ninja.secret, TRIGGER)}
    tampered = client.post(
        ninja.path, content=TRIGGER.replace(b"80%", b"90%"), headers=signed_other
    )
    assert tampered.status_code == 401
    assert inbound_events(client, ninja) == []
    processed(deliver(client, ninja, TRIGGER, auth="signature"), "ticket_created")
    assert inbound_events(client, ninja)[0]["auth_method"] == "signature"


# --- bad bodies and the size limit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "body", "detail"),
    [
        ("ninjaone", b'{"activityType": "CONDITION",', "not valid JSON"),
        ("ninjaone", b"", "empty body"),
        ("ninjaone", b"[1, 2]", "JSON object"),
        (
            "tacticalrmm",
            payload("tacticalrmm", "webhook_trigger.json", agent_id="None"),
            "agent_id",
        ),
    ],
)
def test_unusable_bodies_are_400_and_kept_as_rejected(
    client: TestClient, tenant: TenantCtx, provider: str, body: bytes, detail: str
) -> None:
    connect = connect_ninja if provider == "ninjaone" else connect_tactical
    integration = connect(client, tenant.headers)
    response = deliver(client, integration, body)
    assert response.status_code == 400, response.text
    assert detail in response.json()["detail"]
    [event] = inbound_events(client, integration)
    assert (event["status"], event["size"], event["outcome"]["status_code"]) == (
        "rejected", len(body), 400)  # fmt: skip
    assert detail in event["error"]


def test_bodies_over_1_mib_are_413_with_or_without_content_length(
    client: TestClient, ninja: Connected
) -> None:
    big = b'{"pad": "' + b"x" * (2 * MIB) + b'"}'
    declared = deliver(client, ninja, big)
    assert declared.request.headers["content-length"] == str(len(big))
    assert declared.status_code == 413
    streamed = client.post(ninja.path, content=chunks(big),
                           headers={"X-Alertdesk-Secret": ninja.secret})  # fmt: skip
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert inbound_events(client, ninja) == []


def test_exactly_1_mib_is_accepted(client: TestClient, ninja: Connected) -> None:
    activity = json.loads(payload("ninjaone", "activity_monitor_reboot.json")) | {"pad": ""}
    padding = MIB - len(json.dumps(activity).encode())
    body = json.dumps(activity | {"pad": "x" * padding}).encode()
    assert len(body) == MIB
    response = deliver(client, ninja, body)
    assert (response.status_code, response.json()["processed"]) == (200, False)
    assert deliver(client, ninja, body + b" ").status_code == 413


# --- which integration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [f"/webhooks/ninjaone/{uuid.uuid4()}", "/webhooks/ninjaone/not-a-uuid", "/webhooks/ninjaone/1"],
)
def test_unknown_or_malformed_integration_id_is_404(
    client: TestClient, ninja: Connected, path: str
) -> None:
    assert deliver(client, ninja, TRIGGER, path=path).status_code == 404


def test_provider_in_the_path_must_be_the_integrations(
    client: TestClient, ninja: Connected
) -> None:
    for provider in ("tacticalrmm", "huntress", "NinjaOne"):
        path = f"/webhooks/{provider}/{ninja.id}"
        assert deliver(client, ninja, TRIGGER, path=path).status_code == 404, provider
    assert inbound_events(client, ninja) == []


def test_a_disconnected_integration_is_404_even_with_its_old_secret(
    client: TestClient, ninja: Connected
) -> None:
    processed(deliver(client, ninja, TRIGGER), "ticket_created")
    response = client.delete(f"/api/v1/integrations/{ninja.id}", headers=ninja.admin)
    assert response.status_code == 200, response.text
    for auth in ("header", "signature", "token"):
        assert deliver(client, ninja, TRIGGER, auth=auth).status_code == 404
    assert len(inbound_events(client, ninja)) == 1
    assert len(alerts(client, ninja.admin)) == 1  # history is kept
    again = connect_ninja(client, ninja.admin)  # reconnecting reuses the row with a new secret
    assert again.id == ninja.id
    assert again.secret != ninja.secret
    assert deliver(client, ninja, TRIGGER).status_code == 401
    assert deliver(client, again, TRIGGER).status_code == 200


# --- the log, tenants, and the vendors -------------------------------------------------------


def test_inbound_events_log_shows_status_auth_method_and_outcome(
    client: TestClient, ninja: Connected
) -> None:
    reboot = payload("ninjaone", "activity_monitor_reboot.json")
    deliver(client, ninja, TRIGGER, auth="header")
    deliver(client, ninja, reboot, auth="token", content_type=None)
    deliver(client, ninja, b"not json", auth="signature", content_type="text/plain")
    log = inbound_events(client, ninja)  # newest first
    assert [(e["status"], e["auth_method"]) for e in log] == [
        ("rejected", "signature"), ("ignored", "token"), ("processed", "header")]  # fmt: skip
    assert [e["content_type"] for e in log] == ["text/plain", None, "application/json"]
    assert [e["size"] for e in log] == [len(b"not json"), len(reboot), len(TRIGGER)]
    assert log[2]["outcome"]["outcome"] == "ticket_created"
    assert log[1]["outcome"] == {"status_code": 200, "processed": False,
                                 "reason": log[1]["outcome"]["reason"]}  # fmt: skip
    assert log[0]["outcome"]["status_code"] == 400
    assert len(get(client, ninja.admin, f"/integrations/{ninja.id}/inbound-events", limit="1")) == 1


def test_tenant_a_integration_never_touches_tenant_b(
    client: TestClient, make_tenant: Callable[..., TenantCtx], ninja: Connected
) -> None:
    b = make_tenant()
    b_client = make_client(client, b.headers, "KMSP Radio Station")
    b_ninja = connect_ninja(client, b.headers)
    add_rule(client, b_ninja)
    assert deliver(client, ninja, TRIGGER, secret=b_ninja.secret).status_code == 401
    assert deliver(client, b_ninja, TRIGGER, secret=ninja.secret).status_code == 401
    assert deliver(client, ninja, TRIGGER, auth="token", secret=b_ninja.secret).status_code == 401
    assert inbound_events(client, ninja) == [] == inbound_events(client, b_ninja)
    body = processed(deliver(client, ninja, TRIGGER), "ticket_created")
    assert alerts(client, b.headers) == [] == tickets(client, b.headers)
    assert inbound_events(client, b_ninja) == []
    for path in (f"/alerts/{body['alert_id']}", f"/tickets/{body['ticket_id']}",
                 f"/integrations/{ninja.id}/inbound-events"):  # fmt: skip
        assert client.get(f"/api/v1{path}", headers=b.headers).status_code == 404, path
    replay = f"/api/v1/integrations/{ninja.id}/inbound-events/replay"
    assert client.post(replay, headers=b.headers).status_code == 404
    [a_ticket] = tickets(client, ninja.admin)
    assert a_ticket["client_id"] != b_client["id"]


def test_the_webhook_path_makes_no_vendor_calls(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors, ninja: Connected
) -> None:
    make_client(client, tenant.headers, "Acme Dental")
    tactical = connect_tactical(client, tenant.headers)
    add_rule(client, tactical)
    before = vendor_requests(vendors)
    assert before > 0  # connecting did talk to the fakes: the counter works
    processed(deliver(client, ninja, TRIGGER), "ticket_created")
    second = payload("ninjaone", "condition_triggered.json", seriesUid="s-2", id=1)
    processed(deliver(client, ninja, second), "occurrence_appended")
    processed(deliver(client, ninja, payload("ninjaone", "condition_reset.json")), "resolved")
    processed(deliver(client, ninja, TRIGGER), "skipped")
    assert deliver(client, ninja, NUL_TRIGGER).status_code == 200
    for name, outcome in (("webhook_trigger.json", "ticket_created"),
                          ("webhook_resolved.json", "resolved")):  # fmt: skip
        body = payload("tacticalrmm", name)
        processed(deliver(client, tactical, body, content_type=None), outcome)
    closed = [t for t in tickets(client, tenant.headers) if t["is_closed"]]
    assert [t["closed_by_kind"] for t in closed] == ["system"]  # an auto-close happened too
    assert vendor_requests(vendors) == before
    assert vendors.ninjaone.resets == []
    assert vendors.tactical.resolved == []
