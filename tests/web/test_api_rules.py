"""T026: alert rules over the API — CRUD, ordering, strict validation, admin gating, isolation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.storage.models import Integration, User
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, created, default_board, make_board, priority_id, status_id

# fmt: off
DEFAULT_ACTIONS: Json = {
    "create_ticket": True, "board_id": None, "priority_override": None,
    "assign_to_user_id": None, "title_template": None, "description_template": None,
    "auto_resolve_ticket": False, "auto_resolve_status_id": None,
    "reset_alert_on_ticket_close": True, "notify_user_ids": [],
}
# fmt: on
BOARD_STATUSES: list[Json] = [
    {"name": "Open", "is_default": True},
    {"name": "Done", "is_closed": True},
]


def add_integration(session: Session, tenant: uuid.UUID, provider: str = "ninjaone") -> Integration:
    row = Integration(tenant=tenant, id=uuid.uuid4(), provider=provider, name=provider, settings={})
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def integration(session: Session, tenant: TenantCtx) -> Integration:
    return add_integration(session, tenant.id)


def rules_url(integration_id: object) -> str:
    return f"/api/v1/integrations/{integration_id}/alert-rules"


def rule_url(rule: Json) -> str:
    return f"/api/v1/alert-rules/{rule['id']}"


def listed(client: TestClient, ctx: TenantCtx, integration_id: object) -> list[Json]:
    response = client.get(rules_url(integration_id), headers=ctx.headers)
    assert response.status_code == 200, response.text
    rules: list[Json] = response.json()
    return rules


def create_rule(client: TestClient, ctx: TenantCtx, integration_id: object, **body: Any) -> Json:
    payload = {"name": "rule", **body}
    return created(client.post(rules_url(integration_id), json=payload, headers=ctx.headers))


def assert_loc(response: httpx.Response, *loc: str | int) -> None:
    """A 422 with one detail entry whose loc starts with ["body", *loc]."""
    assert response.status_code == 422, response.text
    wanted = ["body", *loc]
    locs = [list(entry["loc"]) for entry in response.json()["detail"]]
    assert any(found[: len(wanted)] == wanted for found in locs), locs


# --- CRUD ----------------------------------------------------------------------------------


def test_create_stores_snake_case_with_defaults(
    client: TestClient, tenant: TenantCtx, integration: Integration
) -> None:
    rule = create_rule(client, tenant, integration.id, name="  catch-all  ")
    assert rule["name"] == "catch-all"
    assert (rule["description"], rule["is_active"], rule["priority_order"]) == ("", True, 0)
    assert rule["integration_id"] == str(integration.id)
    assert rule["conditions"] == {}
    assert rule["actions"] == DEFAULT_ACTIONS
    conditions = {
        "severities": ["critical", "major"],
        "activity_types": ["CONDITION"],
        "alert_classes": ["DISK_SPACE_LOW"],
        "source_types": ["condition"],
        "organization_ids": ["500"],
        "keywords": ["disk c:"],
        "message_pattern": "at 9[0-9]% capacity",
    }
    actions = {"create_ticket": False, "title_template": "{{ device }}"}
    full = create_rule(client, tenant, integration.id, conditions=conditions, actions=actions)
    assert full["conditions"] == conditions
    assert full["actions"] == DEFAULT_ACTIONS | actions
    assert client.get(rule_url(full), headers=tenant.headers).json() == full


def test_new_rules_go_last_and_list_is_ordered(
    client: TestClient, tenant: TenantCtx, integration: Integration, session: Session
) -> None:
    other = add_integration(session, tenant.id, "tacticalrmm")
    made = [create_rule(client, tenant, integration.id, name=n) for n in ("b", "a", "c")]
    assert [r["priority_order"] for r in made] == [0, 1, 2]
    assert create_rule(client, tenant, other.id)["priority_order"] == 0
    assert [r["name"] for r in listed(client, tenant, integration.id)] == ["b", "a", "c"]


def test_put_replaces_the_whole_rule(
    client: TestClient, tenant: TenantCtx, integration: Integration
) -> None:
    create_rule(client, tenant, integration.id, name="first")
    old = {"conditions": {"keywords": ["disk"]}, "actions": {"create_ticket": False}}
    rule = create_rule(client, tenant, integration.id, is_active=False, description="old", **old)
    body = {"name": "renamed", "conditions": {"severities": ["minor"]}}
    response = client.put(rule_url(rule), json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert (replaced["id"], replaced["priority_order"]) == (rule["id"], 1)
    assert [replaced[k] for k in ("name", "description", "is_active")] == ["renamed", "", True]
    assert replaced["conditions"] == {"severities": ["minor"]}
    assert replaced["actions"] == DEFAULT_ACTIONS
    assert replaced["updated_at"] is not None
    assert client.get(rule_url(rule), headers=tenant.headers).json() == replaced


def test_delete_then_404(client: TestClient, tenant: TenantCtx, integration: Integration) -> None:
    rule = create_rule(client, tenant, integration.id)
    response = client.delete(rule_url(rule), headers=tenant.headers)
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(rule_url(rule), headers=tenant.headers).status_code == 404
    assert client.delete(rule_url(rule), headers=tenant.headers).status_code == 404
    assert listed(client, tenant, integration.id) == []


# --- reorder -------------------------------------------------------------------------------


def test_reorder_returns_and_persists_the_new_order(
    client: TestClient, tenant: TenantCtx, integration: Integration
) -> None:
    ids = [create_rule(client, tenant, integration.id, name=n)["id"] for n in ("a", "b", "c")]
    new = [ids[2], ids[0], ids[1]]
    url = rules_url(integration.id) + "/reorder"
    response = client.post(url, json={"rule_ids": new}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    expected = [(rule_id, position) for position, rule_id in enumerate(new)]
    assert [(r["id"], r["priority_order"]) for r in response.json()] == expected
    assert [
        (r["id"], r["priority_order"]) for r in listed(client, tenant, integration.id)
    ] == expected


@pytest.mark.parametrize("case", ["missing", "duplicated", "foreign", "unknown", "empty"])
def test_reorder_needs_exactly_this_integrations_rules(
    client: TestClient, tenant: TenantCtx, integration: Integration, session: Session, case: str
) -> None:
    ids = [create_rule(client, tenant, integration.id, name=n)["id"] for n in ("a", "b")]
    foreign = create_rule(client, tenant, add_integration(session, tenant.id, "tacticalrmm").id)
    sent = {
        "missing": ids[:1],
        "duplicated": [ids[0], ids[1], ids[0]],
        "foreign": [*ids, foreign["id"]],
        "unknown": [ids[0], str(uuid.uuid4())],
        "empty": [],
    }[case]
    url = rules_url(integration.id) + "/reorder"
    assert_loc(client.post(url, json={"rule_ids": sent}, headers=tenant.headers), "rule_ids")
    assert [r["id"] for r in listed(client, tenant, integration.id)] == ids


# --- validation ----------------------------------------------------------------------------

SHAPE_ERRORS: list[tuple[Json, tuple[str | int, ...]]] = [
    ({"conditions": {"severity": ["major"]}}, ("conditions", "severity")),
    ({"conditions": {"messagePattern": "x"}}, ("conditions", "messagePattern")),
    ({"actions": {"createTicket": False}}, ("actions", "createTicket")),
    ({"actions": {"ticket_template": {}}}, ("actions", "ticket_template")),
    ({"conditions": {"severities": []}}, ("conditions", "severities")),
    ({"conditions": {"keywords": []}}, ("conditions", "keywords")),
    ({"conditions": {"organization_ids": []}}, ("conditions", "organization_ids")),
    ({"conditions": {"keywords": [" "]}}, ("conditions", "keywords", 0)),
    ({"conditions": {"severities": ["urgent"]}}, ("conditions", "severities", 0)),
    ({"conditions": {"message_pattern": r"(a)\1"}}, ("conditions", "message_pattern")),
    ({"conditions": {"message_pattern": "("}}, ("conditions", "message_pattern")),
    ({"conditions": {"message_pattern": ""}}, ("conditions", "message_pattern")),
    ({"actions": {"create_ticket": "yes"}}, ("actions", "create_ticket")),
    ({"actions": {"reset_alert_on_ticket_close": 1}}, ("actions", "reset_alert_on_ticket_close")),
    ({"actions": {"board_id": "not-a-uuid"}}, ("actions", "board_id")),
    ({"name": ""}, ("name",)),
    ({"name": "   "}, ("name",)),
    ({"name": "x" * 256}, ("name",)),
    ({"description": "x" * 2001}, ("description",)),
    ({"priority": 3}, ("priority",)),
]


@pytest.mark.parametrize(("patch", "loc"), SHAPE_ERRORS)
@pytest.mark.parametrize("verb", ["post", "put"])
def test_bad_shapes_are_422_naming_the_field(
    client: TestClient,
    tenant: TenantCtx,
    integration: Integration,
    verb: str,
    patch: Json,
    loc: tuple[str | int, ...],
) -> None:
    rule = create_rule(client, tenant, integration.id, name="keep")
    body = {"name": "rule", **patch}
    url = rules_url(integration.id) if verb == "post" else rule_url(rule)
    assert_loc(client.request(verb.upper(), url, json=body, headers=tenant.headers), *loc)
    assert listed(client, tenant, integration.id) == [rule]


def test_re2_accepts_inline_flags(
    client: TestClient, tenant: TenantCtx, integration: Integration
) -> None:
    conditions = {"message_pattern": "(?i)disk.*full"}
    assert create_rule(client, tenant, integration.id, conditions=conditions)["conditions"] == {
        "message_pattern": "(?i)disk.*full"
    }


@pytest.fixture
def ids(
    client: TestClient,
    tenant: TenantCtx,
    make_tenant: Callable[..., TenantCtx],
    technician: tuple[User, dict[str, str]],
) -> dict[str, Any]:
    """Ids of this tenant (a second board "Infra", a technician) and of another tenant."""
    board = make_board(client, tenant.headers, "Infra", BOARD_STATUSES)
    main = default_board(client, tenant.headers)
    other = make_tenant()
    theirs = default_board(client, other.headers)
    # fmt: off
    return {
        "board": board["id"], "done": status_id(board, "Done"), "open": status_id(board, "Open"),
        "main_closed": status_id(main, "Closed"), "low": priority_id(client, tenant.headers, "Low"),
        "tech": str(technician[0].id), "admin": str(tenant.admin.id),
        "other_board": theirs["id"], "other_closed": status_id(theirs, "Closed"),
        "other_priority": priority_id(client, other.headers, "Low"),
        "other_user": str(other.admin.id),
    }
    # fmt: on


# fmt: off
ID_ERRORS: list[tuple[Callable[[dict[str, Any]], Json], str]] = [
    (lambda i: {"board_id": i["other_board"]}, "board_id"),
    (lambda i: {"board_id": str(uuid.uuid4())}, "board_id"),
    (lambda i: {"priority_override": i["other_priority"]}, "priority_override"),
    (lambda i: {"assign_to_user_id": i["other_user"]}, "assign_to_user_id"),
    (lambda i: {"notify_user_ids": [i["tech"], i["other_user"]]}, "notify_user_ids"),
    (lambda i: {"auto_resolve_status_id": i["other_closed"]}, "auto_resolve_status_id"),
    (lambda i: {"auto_resolve_status_id": i["open"]}, "auto_resolve_status_id"),  # not closed
    (lambda i: {"board_id": i["board"], "auto_resolve_status_id": i["main_closed"]},
     "auto_resolve_status_id"),  # a closed status of another board
]
# fmt: on


@pytest.mark.parametrize(("actions", "field"), ID_ERRORS)
def test_ids_outside_the_tenant_are_422_naming_the_field(
    client: TestClient,
    tenant: TenantCtx,
    integration: Integration,
    ids: dict[str, Any],
    actions: Callable[[dict[str, Any]], Json],
    field: str,
) -> None:
    body = {"name": "rule", "actions": actions(ids)}
    response = client.post(rules_url(integration.id), json=body, headers=tenant.headers)
    assert_loc(response, "actions", field)
    rule = create_rule(client, tenant, integration.id)
    assert_loc(client.put(rule_url(rule), json=body, headers=tenant.headers), "actions", field)
    assert listed(client, tenant, integration.id) == [rule]


def test_ids_of_the_tenant_are_accepted(
    client: TestClient, tenant: TenantCtx, integration: Integration, ids: dict[str, Any]
) -> None:
    # fmt: off
    actions = {
        "board_id": ids["board"], "priority_override": ids["low"], "assign_to_user_id": ids["tech"],
        "notify_user_ids": [ids["tech"], ids["admin"]], "auto_resolve_ticket": True,
        "auto_resolve_status_id": ids["done"], "reset_alert_on_ticket_close": False,
    }
    # fmt: on
    rule = create_rule(client, tenant, integration.id, actions=actions)
    assert rule["actions"] == DEFAULT_ACTIONS | actions


# --- tenancy and roles ---------------------------------------------------------------------


def every_route(integration_id: object, rule_id: object) -> list[tuple[str, str, Json | None]]:
    url = rule_url({"id": rule_id})
    return [
        ("GET", rules_url(integration_id), None),
        ("POST", rules_url(integration_id), {"name": "x"}),
        ("POST", rules_url(integration_id) + "/reorder", {"rule_ids": [str(rule_id)]}),
        ("GET", url, None),
        ("PUT", url, {"name": "x"}),
        ("DELETE", url, None),
    ]


def test_unknown_integration_and_rule_are_404(client: TestClient, tenant: TenantCtx) -> None:
    for method, path, body in every_route(uuid.uuid4(), uuid.uuid4()):
        response = client.request(method, path, json=body, headers=tenant.headers)
        assert response.status_code == 404, (method, path, response.text)


def test_another_tenants_integration_and_rules_are_404(
    client: TestClient, tenant: TenantCtx, make_tenant: Callable[..., TenantCtx], session: Session
) -> None:
    other = make_tenant()
    theirs = add_integration(session, other.id)
    rule = create_rule(client, other, theirs.id, name="theirs")
    for method, path, body in every_route(theirs.id, rule["id"]):
        response = client.request(method, path, json=body, headers=tenant.headers)
        assert response.status_code == 404, (method, path, response.text)
    assert listed(client, other, theirs.id) == [rule]


def test_technicians_may_not_touch_rules(
    client: TestClient,
    tenant: TenantCtx,
    integration: Integration,
    technician: tuple[User, dict[str, str]],
) -> None:
    rule = create_rule(client, tenant, integration.id)
    for method, path, body in every_route(integration.id, rule["id"]):
        response = client.request(method, path, json=body, headers=technician[1])
        assert response.status_code == 403, (method, path, response.text)
        assert client.request(method, path, json=body).status_code == 401
    assert listed(client, tenant, integration.id) == [rule]
