"""Admins manage an integration's alert rules in the browser: create, validate inline, edit,
toggle, reorder, delete, preview — through the same services and checks as the API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.core.templates import placeholder_values
from alertdesk.core.types import AlertEvent
from alertdesk.storage.models import User
from alertdesk.web.ui.settings.rule_form import PLACEHOLDERS, RuleForm, conditions_summary
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, default_board, make_board
from tests.web.integration_helpers import API, TACTICAL, connect, deliver_tactical, get_json
from tests.web.ui_support import page_token, sign_in

P = pytest.param


@pytest.fixture
def hook(client: TestClient, tenant: TenantCtx) -> Json:
    """A connected Tactical integration, and the admin signed in to the UI."""
    connected = connect(client, tenant.headers, TACTICAL)
    sign_in(client, tenant.admin.email)
    return connected


def rules_url(hook: Json) -> str:
    return f"/ui/settings/integrations/{hook['id']}/rules"


def rules(client: TestClient, tenant: TenantCtx, hook: Json) -> list[Json]:
    found: list[Json] = get_json(client, tenant.headers, f"{API}/{hook['id']}/alert-rules")
    return found


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    token = page_token(client)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def create(client: TestClient, hook: Json, **fields: Any) -> Any:
    url = f"{rules_url(hook)}/new"
    token = page_token(client, url)
    body = {"csrf_token": token, "is_active": "1", "create_ticket": "1", **fields}
    return client.post(url, data=body, follow_redirects=False)


def test_an_integration_without_rules_says_what_happens_to_its_alerts(
    client: TestClient, hook: Json
) -> None:
    page = client.get(rules_url(hook))
    assert page.status_code == 200
    assert "No rules yet" in page.text
    assert "recorded, but no ticket is opened" in page.text


def test_create_a_rule_from_the_editor(client: TestClient, tenant: TenantCtx, hook: Json) -> None:
    statuses = [{"name": "New", "is_default": True}, {"name": "Done", "is_closed": True}]
    board = make_board(client, tenant.headers, "Servers", statuses)
    response = create(
        client, hook, name="Disk alerts", severities=["critical", "major"],
        keywords="disk\nvolume", alert_classes="diskspace, disk_io", message_pattern="C:",
        board_id=board["id"], title_template="{{device}}: {{message}}",
        reset_alert_on_ticket_close="1",
    )  # fmt: skip
    assert response.status_code == 303, response.text
    assert response.headers["location"] == rules_url(hook)
    [rule] = rules(client, tenant, hook)
    assert rule["name"] == "Disk alerts"
    assert rule["is_active"] is True
    assert rule["conditions"] == {
        "severities": ["critical", "major"],
        "keywords": ["disk", "volume"],
        "alert_classes": ["diskspace", "disk_io"],
        "message_pattern": "C:",
    }
    actions = rule["actions"]
    assert (actions["board_id"], actions["title_template"]) == (
        board["id"],
        "{{device}}: {{message}}",
    )
    assert (actions["create_ticket"], actions["auto_resolve_ticket"]) == (True, False)
    listing = client.get(rules_url(hook)).text
    assert "severity critical, major" in listing
    assert "message mentions disk or volume" in listing
    assert "Ticket on Servers" in listing


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        P({"message_pattern": "disk (C"}, "message_pattern", "Invalid regular expression",
          id="bad-regex"),
        P({"name": "   "}, "name", "Give the rule a name", id="blank-name"),
        P({"board_id": "not-an-id"}, "board_id", "Choose one from the list", id="bad-board-id"),
        P({"severities": ["fatal"]}, "severities", "Input should be", id="unknown-severity"),
    ],
)  # fmt: skip
def test_a_refused_rule_shows_the_reason_at_its_field_and_keeps_what_was_typed(
    client: TestClient, tenant: TenantCtx, hook: Json, fields: dict[str, Any], field: str,
    message: str,
) -> None:  # fmt: skip
    response = create(client, hook, **{"name": "Typed name", "keywords": "kept words", **fields})
    assert response.status_code == 422
    error = re.search(
        rf'<span class="field-error" id="{field}-error">([^<]*)</span>', response.text
    )
    assert error is not None, response.text
    assert message in error.group(1)
    assert f'aria-describedby="{field}-error"' in response.text
    assert "kept words</textarea>" in response.text
    assert rules(client, tenant, hook) == []


def test_a_board_of_another_tenant_is_refused_at_the_board_field(
    client: TestClient, tenant: TenantCtx, hook: Json, make_tenant: Callable[..., TenantCtx]
) -> None:
    foreign = default_board(client, make_tenant().headers)
    response = create(client, hook, name="Foreign", board_id=foreign["id"])
    assert response.status_code == 422
    assert 'id="board_id-error"' in response.text
    assert rules(client, tenant, hook) == []


def test_edit_toggle_reorder_and_delete(client: TestClient, tenant: TenantCtx, hook: Json) -> None:
    for name in ("First", "Second", "Third"):
        assert create(client, hook, name=name).status_code == 303
    first, second, third = (r["id"] for r in rules(client, tenant, hook))

    editor = client.get(f"{rules_url(hook)}/{second}")
    assert 'value="Second"' in editor.text
    edited = post(client, f"{rules_url(hook)}/{second}", {"name": "Second, renamed",
                                                          "keywords": "backup"})  # fmt: skip
    assert edited.status_code == 303
    assert post(client, f"{rules_url(hook)}/{third}/toggle", {}).status_code == 303
    assert post(client, f"{rules_url(hook)}/{third}/move", {"direction": "up"}).status_code == 303
    assert post(client, f"{rules_url(hook)}/{first}/move", {"direction": "up"}).status_code == 303

    after = rules(client, tenant, hook)
    assert [r["id"] for r in after] == [first, third, second]  # first stays first at the top
    assert [r["is_active"] for r in after] == [True, False, False]  # unticked box: inactive
    assert after[2]["name"] == "Second, renamed"
    assert after[2]["conditions"] == {"keywords": ["backup"]}

    deleted = post(client, f"{rules_url(hook)}/{third}/delete", {})
    assert deleted.status_code == 303
    assert [r["id"] for r in rules(client, tenant, hook)] == [first, second]


def test_a_rule_is_reached_only_through_its_own_integration(
    client: TestClient, tenant: TenantCtx, hook: Json, make_tenant: Callable[..., TenantCtx]
) -> None:
    assert create(client, hook, name="Mine").status_code == 303
    [rule] = rules(client, tenant, hook)
    other = make_tenant()
    theirs = connect(client, other.headers, TACTICAL)
    assert client.get(f"{rules_url(theirs)}/{rule['id']}").status_code == 404
    assert client.get(rules_url(theirs)).status_code == 404
    deleted = post(client, f"{rules_url(hook)}/{rule['id']}/delete", {})
    assert deleted.status_code == 303
    stranger = post(client, f"{rules_url(theirs)}/new", {"name": "x"})
    assert stranger.status_code in (403, 404)


def test_technicians_cannot_open_or_change_rules(
    client: TestClient, hook: Json, technician: tuple[User, dict[str, str]]
) -> None:
    assert create(client, hook, name="Before").status_code == 303
    client.cookies.clear()
    sign_in(client, technician[0].email)
    assert client.get(rules_url(hook)).status_code == 403
    token = page_token(client)
    response = client.post(f"{rules_url(hook)}/new", data={"csrf_token": token, "name": "x"})
    assert response.status_code == 403


def test_a_post_without_the_csrf_token_is_refused(
    client: TestClient, tenant: TenantCtx, hook: Json
) -> None:
    response = client.post(f"{rules_url(hook)}/new", data={"name": "No token"})
    assert response.status_code == 403
    assert rules(client, tenant, hook) == []


def test_the_preview_renders_the_templates_from_the_latest_alert(
    client: TestClient, tenant: TenantCtx, hook: Json
) -> None:
    url = f"{rules_url(hook)}/preview"
    token = page_token(client, f"{rules_url(hook)}/new")
    example = client.post(url, data={"csrf_token": token, "title_template": "{{device}}!"})
    assert "CC-FS01!" in example.text
    assert "example alert" in example.text

    assert create(client, hook, name="all").status_code == 303
    delivered = deliver_tactical(client, hook).json()
    assert delivered["alert_id"], delivered  # stored (its org is not mapped: no ticket)
    data = {"csrf_token": token, "title_template": "{{ severity }} on {{device}}"}
    latest = client.post(url, data=data)
    assert latest.status_code == 200
    assert re.search(r"\w+ on [\w-]+", latest.text)
    assert "most recent alert" in latest.text
    assert "{{" not in latest.text.split("data-testid")[1]


def test_every_placeholder_has_a_hint() -> None:
    assert set(PLACEHOLDERS) == set(placeholder_values(_event(), None))


def _event() -> AlertEvent:
    return AlertEvent(
        tenant=uuid.uuid4(), integration_id=uuid.uuid4(), provider="tacticalrmm", kind="triggered",
        external_alert_id="1", occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        P({}, "every alert", id="empty"),
        P({"severities": ["critical"]}, "severity critical", id="severity"),
        P({"organization_ids": ["7", "9"]}, "organization Acme, 9", id="org-names"),
        P({"keywords": ["a", "b"], "message_pattern": "x+"},
          "message mentions a or b · message matches /x+/", id="text"),
        P({"source_types": ["agent"], "activity_types": ["CONDITION"]},
          "activity CONDITION · source agent", id="ordered"),
    ],
)  # fmt: skip
def test_conditions_summary(conditions: dict[str, Any], expected: str) -> None:
    assert conditions_summary(conditions, {"7": "Acme"}) == expected


def test_a_stored_rule_round_trips_through_the_form() -> None:
    form = RuleForm(
        name="R", severities=["minor"], activity_types="A, B", keywords="x\ny",
        message_pattern="p", create_ticket=False, reset_alert_on_ticket_close=False,
        auto_resolve_ticket=True, title_template="t",
    )  # fmt: skip
    data = form.to_input()
    stored = type("Stored", (), {
        "name": data.name, "description": data.description, "is_active": data.is_active,
        "conditions": data.conditions.model_dump(mode="json", exclude_none=True),
        "actions": data.actions.model_dump(mode="json"),
    })()  # fmt: skip
    again = RuleForm.of_rule(stored)
    assert again.to_input() == data
    assert (again.activity_types, again.keywords) == ("A, B", "x\ny")
