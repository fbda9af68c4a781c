"""Workflows, notifications and the email outbox in the browser: the workflow editor saves what
the API would (and refuses the same things at the step they concern), the bell counts unread
notifications, reading one opens its ticket, preferences are saved per user."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.services.notifications.notify import Email, Notice, notify
from alertdesk.storage.models import User
from tests.conftest import TenantCtx
from tests.web.api_helpers import make_client, make_ticket
from tests.web.ui_support import page_token, sign_in

PAGE = "/ui/settings/workflows"
COMMENT_STEP = {"step-0-action": "tickets.add_comment", "step-0-ticket_id": "{{event.ticket_id}}",
                "step-0-body": "Opened {{event.number}}", "step-0-is_internal": "1"}  # fmt: skip


def submit(client: TestClient, url: str, **fields: Any) -> Any:
    return client.post(url, data={"csrf_token": page_token(client), **fields},
                       follow_redirects=False)  # fmt: skip


def workflows(client: TestClient, tenant: TenantCtx) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get("/api/v1/workflows", headers=tenant.headers).json()
    return found


def test_create_edit_toggle_and_delete_a_workflow(client: TestClient, tenant: TenantCtx) -> None:
    sign_in(client, tenant.admin.email)
    assert "No workflows yet" in client.get(PAGE).text
    made = submit(client, f"{PAGE}/new", name="Note new tickets", trigger="TICKET_CREATED",
                  is_active="1", severities=["critical"], providers=["ninjaone"],
                  keywords="disk\nmemory", **COMMENT_STEP)  # fmt: skip
    assert made.status_code == 303, made.text
    [flow] = workflows(client, tenant)
    assert flow["trigger"] == "TICKET_CREATED"
    assert flow["filter"] == {"severities": ["critical"], "providers": ["ninjaone"],
                              "keywords": ["disk", "memory"]}  # fmt: skip
    assert flow["steps"] == [{"action": "tickets.add_comment", "inputs": {
        "ticket_id": "{{event.ticket_id}}", "body": "Opened {{event.number}}", "is_internal": True,
    }}]  # fmt: skip
    listing = client.get(PAGE).text
    assert "Comment on a ticket" in listing
    assert "A ticket is opened" in listing

    editor = client.get(f"{PAGE}/{flow['id']}").text
    assert 'value="Opened {{event.number}}"' not in editor  # a textarea, not an input
    assert "Opened {{event.number}}</textarea>" in editor
    assert "No runs yet." in editor
    second = {"step-1-action": "notifications.notify_users",
              "step-1-user_ids": [str(tenant.admin.id)], "step-1-title": "New ticket"}  # fmt: skip
    edited = submit(client, f"{PAGE}/{flow['id']}", name="Renamed", trigger="TICKET_CREATED",
                    **COMMENT_STEP, **second)  # fmt: skip
    assert edited.status_code == 303, edited.text
    [flow] = workflows(client, tenant)
    assert (flow["name"], flow["is_active"], len(flow["steps"])) == ("Renamed", False, 2)
    assert flow["steps"][1]["inputs"]["user_ids"] == [str(tenant.admin.id)]

    assert submit(client, f"{PAGE}/{flow['id']}/toggle").status_code == 303
    assert workflows(client, tenant)[0]["is_active"] is True
    assert submit(client, f"{PAGE}/{flow['id']}/delete").status_code == 303
    assert workflows(client, tenant) == []


def test_refusals_show_at_the_step_and_keep_what_was_typed(
    client: TestClient, tenant: TenantCtx
) -> None:
    sign_in(client, tenant.admin.email)
    step = {"step-0-action": "rmm.alerts.create_ticket", "step-0-alert_id": "not-an-id"}
    page = submit(client, f"{PAGE}/new", name="Kept name", trigger="RMM_ALERT_TRIGGERED", **step)
    assert page.status_code == 422
    error = re.search(r'class="field-error" id="step-0-error">([^<]*)<', page.text)
    assert error is not None
    assert "alert_id" in error.group(1)
    assert 'value="Kept name"' in page.text
    assert 'value="not-an-id"' in page.text
    empty = submit(client, f"{PAGE}/new", name="", trigger="TICKET_CLOSED")
    assert empty.status_code == 422
    assert 'id="name-error"' in empty.text
    assert "Add at least one step." in empty.text
    assert workflows(client, tenant) == []


def test_the_step_fields_follow_the_chosen_action(client: TestClient, tenant: TenantCtx) -> None:
    sign_in(client, tenant.admin.email)
    fields = client.get(f"{PAGE}/step-fields", params={"index": 2, "action": "http.post"}).text
    assert 'name="step-2-url"' in fields
    assert 'name="step-2-secret"' in fields
    assert "X-Alertdesk-Signature" in fields
    chosen = {"index": 0, "action": "rmm.alerts.create_ticket"}
    create = client.get(f"{PAGE}/step-fields", params=chosen).text
    assert 'value="{{event.alert_id}}"' in create  # the usual value, prefilled
    assert client.get(f"{PAGE}/step-fields", params={"action": "rm -rf"}).text.strip() == ""
    as_sent = {"index": 1, "step-1-action": "tickets.add_comment"}  # what the editor's select sends
    assert 'name="step-1-body"' in client.get(f"{PAGE}/step-fields", params=as_sent).text


def test_technicians_see_neither_workflows_nor_the_outbox(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    sign_in(client, technician[0].email)
    assert client.get(PAGE).status_code == 403
    assert client.get("/ui/settings/email-outbox").status_code == 403
    assert submit(client, f"{PAGE}/new", name="x", trigger="TICKET_CLOSED").status_code == 403


def test_the_bell_the_list_reading_and_the_outbox(
    client: TestClient, session: Session, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    acme = make_client(client, tenant.headers, "Acme")
    ticket = make_ticket(client, tenant.headers, acme["id"], "Server down")
    now = datetime.now(UTC)
    email = Email("RMM Alert (critical): FS01", "text body", "<p>html</p>")
    for title in ("First", "Second"):
        notice = Notice("rmm-alerts", title, "body", ticket_id=ticket["id"], email=email)
        notify(session, tenant.id, [tenant.admin.id], notice, now)
    session.flush()
    sign_in(client, tenant.admin.email)
    assert 'data-testid="unread-count">2<' in client.get("/ui/notifications/badge").text
    listing = client.get("/ui/notifications").text
    assert listing.count('data-testid="notification"') == 2
    first_id = re.findall(r"/ui/notifications/([0-9a-f-]{36})/read", listing)[0]
    opened = submit(client, f"/ui/notifications/{first_id}/read")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/ui/tickets/{ticket['id']}"
    assert 'data-testid="unread-count">1<' in client.get("/ui/notifications/badge").text
    assert submit(client, "/ui/notifications/read-all").status_code == 303
    assert client.get("/ui/notifications/badge").text == ""

    outbox = client.get("/ui/settings/email-outbox").text
    assert outbox.count('data-testid="email-row"') == 2
    assert "No SMTP server is configured" in outbox

    client.cookies.clear()
    sign_in(client, technician[0].email)
    assert client.get("/ui/notifications/badge").text == ""  # the admin's are not mine
    assert submit(client, f"/ui/notifications/{first_id}/read").status_code == 404


def test_preferences_are_saved_per_user(
    client: TestClient, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    sign_in(client, technician[0].email)
    page = client.get("/ui/notifications/preferences").text
    assert 'name="rmm-alerts:email" value="1" checked' in page
    ticked = {"rmm-alerts:in_app": "1", "workflows:email": "1"}
    saved = submit(client, "/ui/notifications/preferences", **ticked)
    assert saved.headers["location"] == "/ui/notifications/preferences?saved=1"
    chosen = client.get("/api/v1/notification-preferences", headers=technician[1]).json()
    assert chosen == {"rmm-alerts": {"in_app": True, "email": False},
                      "workflows": {"in_app": False, "email": True}}  # fmt: skip
    mine = client.get("/api/v1/notification-preferences", headers=tenant.headers).json()
    assert mine["rmm-alerts"] == {"in_app": True, "email": True}
