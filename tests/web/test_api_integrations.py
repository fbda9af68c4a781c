"""Integrations API: connect (checked at the vendor first), secrets shown once and encrypted at
rest, validation, vendor failures, disconnect/reconnect, settings, webhook setup, roles, tenants."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from alertdesk.services.integrations.vault import Vault
from alertdesk.settings import Settings
from alertdesk.storage.models import User
from alertdesk.testing.fakes import FakeVendors
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, make_client
from tests.web.integration_helpers import (
    API,
    NINJA,
    TACTICAL,
    assert_field,
    call_every_route,
    connect,
    count_integrations,
    deliver_tactical,
    get_json,
    row,
    ticket_from_tactical,
)

Tech = tuple[User, dict[str, str]]


def test_connect_ninjaone_shows_the_secret_once_and_registers_the_webhook(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    body = connect(client, tenant.headers, NINJA)
    secret = body["webhook_secret"]
    assert len(secret) >= 32
    assert (body["provider"], body["is_active"], body["sync_status"]) == ("ninjaone", True, "ok")
    assert (body["sync_error"], body["warnings"], body["authorize_url"]) == (None, [], None)
    assert re.fullmatch(rf"https?://[^/]+/webhooks/ninjaone/{body['id']}", body["webhook_url"])
    assert body["settings"]["polling"] == {"enabled": True, "interval_minutes": 15}
    assert vendors.ninjaone.webhook == {
        "url": body["webhook_url"],
        "activities": {"CONDITION": ["TRIGGERED", "RESET", "ACKNOWLEDGED"]},
        "expand": ["device", "organization", "location"],
        "headers": [{"name": "X-Alertdesk-Secret", "value": secret}],
    }
    one = get_json(client, tenant.headers, f"{API}/{body['id']}")
    listed = client.get(API, headers=tenant.headers)
    assert [i["id"] for i in listed.json()] == [body["id"]]
    assert one["webhook_url"] == body["webhook_url"]
    for shown in (one, listed.json()[0]):
        assert not {"webhook_secret", "credentials", "client_secret"} & set(shown)
        assert secret not in json.dumps(shown)
        assert "ninja-secret" not in json.dumps(shown)


def test_connect_tactical_checks_the_api_key(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    body = connect(client, tenant.headers, TACTICAL, name="Tactical (main)")
    assert (body["name"], body["is_active"], body["sync_status"]) == ("Tactical (main)", True, "ok")
    assert body["webhook_url"].endswith(f"/webhooks/tacticalrmm/{body['id']}")
    assert body["webhook_secret"]
    agents = [r for r in vendors.tactical.requests if r.url.path == "/agents/"]
    assert agents
    assert agents[0].headers["x-api-key"] == "tactical-key"
    one = json.dumps(get_json(client, tenant.headers, f"{API}/{body['id']}"))
    assert "tactical-key" not in one
    assert body["webhook_secret"] not in one


NINJA_CREDS = NINJA["credentials"]
INTERVAL = "settings.polling.interval_minutes"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (NINJA | {"provider": "kaseya"}, "provider"),
        (NINJA | {"credentials": {"client_id": "ninja-client"}}, "credentials.client_secret"),
        (NINJA | {"credentials": {**NINJA_CREDS, "tenant": "x"}}, "credentials.tenant"),
        (NINJA | {"credentials": {"client_id": "", "client_secret": "s"}}, "credentials.client_id"),
        (TACTICAL | {"credentials": NINJA_CREDS}, "credentials.api_key"),
        (TACTICAL | {"credentials": {"api_key": "k", "extra": "x"}}, "credentials.extra"),
        (NINJA | {"instance_url": "ninja.test"}, "instance_url"),
        (TACTICAL | {"instance_url": "ftp://tactical.test"}, "instance_url"),
        (NINJA | {"settings": {"polling": {"interval_minutes": 4}}}, INTERVAL),
        (NINJA | {"settings": {"polling": {"interval_minutes": 61}}}, INTERVAL),
        (NINJA | {"settings": {"colour": "red"}}, "settings.colour"),
        (NINJA | {"settings": {"default_severity": "apocalyptic"}}, "settings.default_severity"),
        (NINJA | {"settings": {"authorization": "password"}}, "settings.authorization"),
    ],
)
def test_invalid_connect_names_the_field_and_saves_nothing(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    vendors: FakeVendors,
    body: Json,
    field: str,
) -> None:
    assert_field(client.post(API, json=body, headers=tenant.headers), field)
    assert count_integrations(session, tenant.id) == 0
    assert vendors.ninjaone.requests + vendors.tactical.requests == []


@pytest.mark.parametrize(
    "body",
    [
        NINJA | {"credentials": {"client_id": "ninja-client", "client_secret": "wrong"}},
        TACTICAL | {"credentials": {"api_key": "wrong"}},
    ],
    ids=["ninjaone", "tacticalrmm"],
)
def test_rejected_credentials_are_a_422_and_nothing_is_saved(
    client: TestClient, session: Session, tenant: TenantCtx, vendors: FakeVendors, body: Json
) -> None:
    response = client.post(API, json=body, headers=tenant.headers)
    assert_field(response, "credentials")
    assert "rejected" in response.json()["detail"][0]["msg"]
    assert count_integrations(session, tenant.id) == 0
    assert vendors.ninjaone.webhook is None


@pytest.mark.parametrize(
    ("body", "vendor", "path", "status"),
    [
        (NINJA, "ninjaone", "/ws/oauth/token", 500),
        (NINJA, "ninjaone", "/v2/organizations", 429),
        (NINJA, "ninjaone", "/v2/organizations", 0),
        (NINJA, "ninjaone", "/v2/webhook", 500),
        (TACTICAL, "tactical", "/agents/", 500),
        (TACTICAL, "tactical", "/agents/", 429),
        (TACTICAL, "tactical", "/agents/", 0),
    ],
)
def test_vendor_failures_are_a_502_and_nothing_is_saved(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    vendors: FakeVendors,
    body: Json,
    vendor: str,
    path: str,
    status: int,
) -> None:
    getattr(vendors, vendor).fail(path, status)
    response = client.post(API, json=body, headers=tenant.headers)
    assert response.status_code == 502, response.text
    assert count_integrations(session, tenant.id) == 0
    assert client.get(API, headers=tenant.headers).json() == []


def test_one_integration_per_provider_and_tenant(
    client: TestClient, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx]
) -> None:
    connect(client, tenant.headers, NINJA)
    assert client.post(API, json=NINJA, headers=tenant.headers).status_code == 409
    connect(client, tenant.headers, TACTICAL)  # another provider is fine
    connect(client, make_tenant().headers, NINJA)  # and so is another tenant


def test_disconnect_forgets_secrets_and_keeps_alerts_and_tickets(
    client: TestClient, session: Session, tenant: TenantCtx
) -> None:
    make_client(client, tenant.headers, "Acme Dental")  # auto-linked to Tactical client 3
    hook = connect(client, tenant.headers, TACTICAL)
    delivery = ticket_from_tactical(client, tenant.headers, hook)

    response = client.delete(f"{API}/{hook['id']}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    out = response.json()["integration"]
    assert (out["is_active"], out["sync_status"]) == (False, "disconnected")
    stored = row(session, hook["id"])
    assert (stored.credentials_encrypted, stored.webhook_secret_encrypted) == (None, None)
    alerts = get_json(client, tenant.headers, f"/api/v1/alerts?integration_id={hook['id']}")
    assert [(a["id"], a["ticket_id"]) for a in alerts] == [
        (delivery["alert_id"], delivery["ticket_id"])
    ]
    get_json(client, tenant.headers, f"/api/v1/tickets/{delivery['ticket_id']}")
    assert len(get_json(client, tenant.headers, f"{API}/{hook['id']}/org-mappings")) == 2
    assert deliver_tactical(client, hook).status_code == 404
    setup = client.get(f"{API}/{hook['id']}/webhook-setup", headers=tenant.headers)
    assert setup.status_code == 409


def test_ninjaone_disconnect_removes_the_webhook_and_reconnect_reuses_the_row(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors
) -> None:
    first = connect(client, tenant.headers, NINJA)
    assert client.delete(f"{API}/{first['id']}", headers=tenant.headers).json()["warnings"] == []
    assert vendors.ninjaone.paths("DELETE") == ["/v2/webhook"]
    assert vendors.ninjaone.webhook is None

    second = connect(client, tenant.headers, NINJA)
    assert (second["id"], second["is_active"], second["sync_status"]) == (first["id"], True, "ok")
    assert second["webhook_secret"] != first["webhook_secret"]
    assert vendors.ninjaone.webhook is not None
    header = vendors.ninjaone.webhook["headers"][0]
    assert header["value"] == second["webhook_secret"]


def test_patch_settings_merges_polling_and_validates(client: TestClient, tenant: TenantCtx) -> None:
    hook = connect(client, tenant.headers, TACTICAL)
    url = f"{API}/{hook['id']}"

    def patch(settings: Json) -> Any:
        return client.patch(url, json={"settings": settings}, headers=tenant.headers)

    assert patch({"polling": {"interval_minutes": 30}}).json()["settings"]["polling"] == {
        "enabled": True,
        "interval_minutes": 30,
    }
    merged = patch({"polling": {"enabled": False}, "default_severity": "major"}).json()
    assert merged["settings"]["polling"] == {"enabled": False, "interval_minutes": 30}
    assert merged["settings"]["default_severity"] == "major"
    assert_field(patch({"polling": {"interval_minutes": 61}}), INTERVAL)
    assert_field(patch({"polling": {"interval_minutes": 4}}), INTERVAL)
    assert_field(patch({"polling": {"every": 5}}), "settings.polling.every")
    assert_field(patch({"colour": "red"}), "settings.colour")
    assert get_json(client, tenant.headers, url)["settings"] == merged["settings"]


def test_secrets_are_encrypted_at_rest(
    client: TestClient, session: Session, tenant: TenantCtx, settings: Settings
) -> None:
    ninja = connect(client, tenant.headers, NINJA)
    tactical = connect(client, tenant.headers, TACTICAL)
    vault = Vault(settings.resolved_secret_key())
    for body, plain in ((ninja, "ninja-secret"), (tactical, "tactical-key")):
        whole = session.scalar(
            text("select i::text from integration i where id = :id"), {"id": body["id"]}
        )
        assert whole is not None
        assert plain not in whole
        assert body["webhook_secret"] not in whole
        stored = row(session, body["id"])
        assert stored.credentials_encrypted
        assert stored.webhook_secret_encrypted
        assert vault.decrypt(stored.webhook_secret_encrypted) == body["webhook_secret"]
        assert plain in vault.decrypt_json(stored.credentials_encrypted).values()
        with pytest.raises(ValueError, match="decrypt"):
            Vault("another key").decrypt(stored.credentials_encrypted)


def test_technicians_get_403_on_every_route(
    client: TestClient, tenant: TenantCtx, technician: Tech, vendors: FakeVendors
) -> None:
    hook = connect(client, tenant.headers, NINJA) | {"headers": tenant.headers}
    answers = call_every_route(client, technician[1], hook)
    assert set(answers.values()) == {403}, answers
    assert get_json(client, tenant.headers, f"{API}/{hook['id']}")["is_active"] is True
    assert vendors.ninjaone.paths("DELETE") == []


def test_another_tenant_gets_404_for_every_integration_route(
    client: TestClient,
    tenant: TenantCtx,
    make_tenant: Callable[..., TenantCtx],
    vendors: FakeVendors,
) -> None:
    hook = connect(client, tenant.headers, NINJA) | {"headers": tenant.headers}
    before = get_json(client, tenant.headers, f"{API}/{hook['id']}")
    other = make_tenant()
    answers = call_every_route(client, other.headers, hook)
    id_routes = {k: v for k, v in answers.items() if "{integration_id}" in k}
    assert set(id_routes.values()) == {404}, answers
    assert answers[f"GET {API}"] == 200
    assert answers[f"POST {API}"] == 201
    assert get_json(client, tenant.headers, f"{API}/{hook['id']}") == before
    assert vendors.ninjaone.paths("DELETE") == []


def test_tactical_webhook_setup_gives_working_url_action_templates(
    client: TestClient, tenant: TenantCtx
) -> None:
    make_client(client, tenant.headers, "Acme Dental")
    hook = connect(client, tenant.headers, TACTICAL)
    setup = get_json(client, tenant.headers, f"{API}/{hook['id']}/webhook-setup")
    secret = hook["webhook_secret"]
    assert setup["registered_automatically"] is False
    assert setup["webhook_url"] == hook["webhook_url"]
    assert setup["header"] == {"name": "X-Alertdesk-Secret", "value": secret}
    templates = setup["tacticalrmm"]
    events = {"failure_action": "trigger", "resolved_action": "resolve"}
    for key, event in events.items():
        action = templates[key]
        assert (action["action_type"], action["rest_method"]) == ("rest", "post")
        assert action["pattern"] == hook["webhook_url"]
        headers = json.loads(action["rest_headers"])
        assert headers["X-Alertdesk-Secret"] == secret
        body = json.loads(action["rest_body"])
        assert (body["source"], body["event"]) == ("tacticalrmm", event)
    # what Tactical would send from the failure template is accepted as is
    values = {"alert.id": "77", "alert.severity": "error", "alert.alert_type": "check"}
    values |= {"client.id": "3", "agent.agent_id": "agent-1", "agent.hostname": "FRONT-01"}
    sent = re.sub(
        r"\{\{([^}]+)\}\}",
        lambda m: values.get(m.group(1), "None"),
        templates["failure_action"]["rest_body"],
    )
    delivery = client.post(
        templates["failure_action"]["pattern"],
        content=sent,
        headers=json.loads(templates["failure_action"]["rest_headers"]),
    )
    assert delivery.status_code == 200, delivery.text
    assert delivery.json()["processed"] is True, delivery.json()


def test_ninjaone_webhook_setup_says_it_was_registered(
    client: TestClient, tenant: TenantCtx
) -> None:
    hook = connect(client, tenant.headers, NINJA)
    setup = get_json(client, tenant.headers, f"{API}/{hook['id']}/webhook-setup")
    assert setup["registered_automatically"] is True
    assert setup["header"] == {"name": "X-Alertdesk-Secret", "value": hook["webhook_secret"]}
    assert "tacticalrmm" not in setup
