"""The workflows and notification-preferences API: shapes checked on save (unknown trigger,
action or input → 422 naming it), admin-only workflows, per-user preferences, tenancy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.storage.models import User
from tests.conftest import TenantCtx

API = "/api/v1/workflows"
P = pytest.param
COMMENT: dict[str, Any] = {"ticket_id": "{{event.ticket_id}}", "body": "Opened: {{event.number}}"}
STEP: dict[str, Any] = {"action": "tickets.add_comment", "inputs": COMMENT}
VALID = {"name": "Note new tickets", "trigger": "TICKET_CREATED", "steps": [STEP]}


def create(client: TestClient, tenant: TenantCtx, body: dict[str, Any]) -> Any:
    return client.post(API, json=body, headers=tenant.headers)


def test_create_read_replace_delete(client: TestClient, tenant: TenantCtx) -> None:
    made = create(client, tenant, {**VALID, "filter": {"keywords": ["disk"]}})
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["trigger"], body["is_active"], body["filter"]) == (
        "TICKET_CREATED", True, {"keywords": ["disk"]},
    )  # fmt: skip
    assert body["steps"] == [STEP]
    url = f"{API}/{body['id']}"
    assert client.get(url, headers=tenant.headers).json()["name"] == "Note new tickets"
    replaced = client.put(url, json={**VALID, "is_active": False}, headers=tenant.headers)
    assert (replaced.status_code, replaced.json()["is_active"]) == (200, False)
    assert [w["id"] for w in client.get(API, headers=tenant.headers).json()] == [body["id"]]
    assert client.get(f"{url}/runs", headers=tenant.headers).json() == []
    assert client.delete(url, headers=tenant.headers).status_code == 204
    assert client.get(url, headers=tenant.headers).status_code == 404


@pytest.mark.parametrize(
    ("change", "mentions"),
    [
        P({"trigger": "TICKET_EXPLODED"}, "trigger", id="unknown-trigger"),
        P({"steps": [{"action": "email.everyone", "inputs": {}}]}, "unknown action",
          id="unknown-action"),
        P({"steps": [{**STEP, "inputs": {**COMMENT, "colour": "red"}}]}, "no input 'colour'",
          id="unknown-input"),
        P({"steps": [{"action": "tickets.add_comment", "inputs": {"body": "x"}}]}, "ticket_id",
          id="missing-input"),
        P({"steps": [{"action": "rmm.alerts.create_ticket", "inputs": {"alert_id": "nope"}}]},
          "alert_id", id="bad-static-input"),
        P({"steps": [{"action": "http.post", "inputs": {"url": "ftp://x", "secret": "s"}}]},
          "url", id="not-an-http-url"),
        P({"steps": []}, "steps", id="no-steps"),
        P({"filter": {"message_pattern": "(unclosed"}}, "regular expression", id="bad-regex"),
        P({"filter": {"colour": ["red"]}}, "colour", id="unknown-filter-key"),
        P({"extra": 1}, "extra", id="unknown-field"),
    ],
)  # fmt: skip
def test_refused_shapes_are_422_naming_the_problem(
    client: TestClient, tenant: TenantCtx, change: dict[str, Any], mentions: str
) -> None:
    answer = create(client, tenant, {**VALID, **change})
    assert answer.status_code == 422, answer.text
    assert mentions in answer.text


def test_templated_inputs_are_checked_when_filled(client: TestClient, tenant: TenantCtx) -> None:
    notify = {"user_ids": [str(tenant.admin.id)], "title": "New: {{event.number}}"}
    steps = [{"action": "rmm.alerts.create_ticket", "inputs": {"alert_id": "{{event.alert_id}}"}},
             {"action": "notifications.notify_users", "inputs": notify}]  # fmt: skip
    answer = create(client, tenant, {**VALID, "trigger": "RMM_ALERT_TRIGGERED", "steps": steps})
    assert answer.status_code == 201, answer.text


def test_workflows_are_for_admins_and_tenants_stay_apart(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]],
    make_tenant: Callable[..., TenantCtx],
) -> None:  # fmt: skip
    assert client.get(API, headers=technician[1]).status_code == 403
    assert client.post(API, json=VALID, headers=technician[1]).status_code == 403
    theirs = create(client, make_tenant(), VALID).json()
    for method in ("get", "delete"):
        answer = getattr(client, method)(f"{API}/{theirs['id']}", headers=tenant.headers)
        assert answer.status_code == 404
    assert client.get(f"{API}/{theirs['id']}/runs", headers=tenant.headers).status_code == 404
    assert client.get(API, headers=tenant.headers).json() == []


def test_preferences_default_on_and_are_per_user(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    url = "/api/v1/notification-preferences"
    both = {"in_app": True, "email": True}
    assert client.get(url, headers=tenant.headers).json() == {"rmm-alerts": both, "workflows": both}
    off = {"rmm-alerts": {"in_app": True, "email": False}}
    saved = client.put(url, json=off, headers=technician[1])
    assert saved.status_code == 200, saved.text
    assert saved.json()["rmm-alerts"] == {"in_app": True, "email": False}
    assert client.get(url, headers=tenant.headers).json()["rmm-alerts"] == both  # not mine
    again = client.put(url, json={"rmm-alerts": {"email": True}}, headers=technician[1])
    assert again.json()["rmm-alerts"] == both
    unknown = client.put(url, json={"pagers": {"email": False}}, headers=technician[1])
    assert unknown.status_code == 422


def test_the_email_outbox_is_for_admins(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    assert client.get("/api/v1/email-outbox", headers=tenant.headers).json() == []
    assert client.get("/api/v1/email-outbox", headers=technician[1]).status_code == 403
    assert client.get("/api/v1/notifications", headers=technician[1]).json() == []
