"""Notifications end to end with the real worker and a real SMTP server (aiosmtpd): an alert that
opens a ticket tells the rule's people in the app and by email, as each one's preferences
allow; a repeat occurrence tells nobody; without SMTP the mail is kept in the outbox."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from alertdesk.services.accounts.auth import issue_token
from alertdesk.services.accounts.users import create_user
from tests.jobs.conftest import Msp, Stack, new_msp, running_stack
from tests.web.webhook_support import connect_tactical, deliver, payload

PASSWORD = "a technician password"


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content or b""))
        return "250 OK"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mailing(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory,
    mailbox: tuple[Inbox, int],
) -> Iterator[Stack]:  # fmt: skip
    url = f"smtp://127.0.0.1:{mailbox[1]}"
    folder = tmp_path_factory.mktemp("mail")
    with running_stack(make_database(), folder, smtp_url=url, email_from="desk@msp.example",
                       base_url="https://desk.msp.example") as running:  # fmt: skip
        yield running


def people(stack: Stack, msp: Msp) -> tuple[dict[str, Any], dict[str, str]]:
    """A technician who turned email off for RMM alerts; the admin's id."""
    with stack.runtime.database.transaction() as session:
        tech = create_user(session, msp.tenant, email=f"t-{uuid.uuid4().hex[:6]}@msp.example",
                           password=PASSWORD, name="Terry Tech", role="technician")  # fmt: skip
        token = issue_token(session, tech, "t", datetime.now(UTC)).secret
        tech_id = str(tech.id)
    tech_headers = {"Authorization": f"Bearer {token}"}
    off = {"rmm-alerts": {"in_app": True, "email": False}}
    answer = stack.client.put("/api/v1/notification-preferences", json=off, headers=tech_headers)
    assert answer.status_code == 200, answer.text
    admin = stack.client.get("/api/v1/users", headers=msp.headers).json()[0]
    return {"tech": tech_id, "admin": admin["id"], "admin_email": admin["email"]}, tech_headers


def notifications(stack: Stack, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = stack.client.get("/api/v1/notifications", headers=headers)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_an_alert_ticket_notifies_in_the_app_and_by_smtp_as_preferences_allow(
    mailing: Stack, mailbox: tuple[Inbox, int]
) -> None:
    inbox, _ = mailbox
    msp = new_msp(mailing, connect_tactical)
    ids, tech_headers = people(mailing, msp)
    rule_url = f"/api/v1/integrations/{msp.integration.id}/alert-rules"
    rules = mailing.client.get(rule_url, headers=msp.headers).json()
    body = {**rules[0], "actions": {**rules[0]["actions"],
                                    "notify_user_ids": [ids["admin"], ids["tech"]]}}  # fmt: skip
    body = {k: body[k] for k in ("name", "description", "is_active", "conditions", "actions")}
    saved = mailing.client.put(f"/api/v1/alert-rules/{rules[0]['id']}", json=body,
                               headers=msp.headers)  # fmt: skip
    assert saved.status_code == 200, saved.text

    no_polls = {"settings": {"polling": {"enabled": False}}}  # the fake vendor lists no alerts
    integration_url = f"/api/v1/integrations/{msp.integration.id}"
    assert mailing.client.patch(integration_url, json=no_polls, headers=msp.headers).is_success
    first = deliver(mailing.client, msp.integration, payload("tacticalrmm", "webhook_trigger.json"))
    assert first.json()["outcome"] == "ticket_created", first.text
    mailing.work()

    ticket = mailing.client.get(f"/api/v1/tickets/{first.json()['ticket_id']}",
                                headers=msp.headers).json()  # fmt: skip
    for headers in (msp.headers, tech_headers):
        [note] = notifications(mailing, headers)
        assert note["category"] == "rmm-alerts"
        assert note["ticket_id"] == ticket["id"]
        assert note["title"].startswith(ticket["number"])
        assert note["read_at"] is None
    [mail] = [m for m in inbox.messages if m["To"] == ids["admin_email"]]
    assert mail["Subject"] == "RMM Alert (critical): FRONTDESK-01"
    assert mail["From"] == "desk@msp.example"
    text = mail.get_payload()[0].get_payload(decode=True).decode()  # type: ignore[index,union-attr]
    assert ticket["number"] in text
    assert f"https://desk.msp.example/ui/tickets/{ticket['id']}" in text
    assert "Tactical RMM" in text
    html = mail.get_payload()[1].get_payload(decode=True).decode()  # type: ignore[index,union-attr]
    assert f'href="https://desk.msp.example/ui/tickets/{ticket["id"]}"' in html
    assert len(inbox.messages) == 1  # the technician turned email off
    outbox = mailing.client.get("/api/v1/email-outbox", headers=msp.headers).json()
    assert [(e["status"], e["to_address"]) for e in outbox] == [("sent", ids["admin_email"])]

    repeat = deliver(mailing.client, msp.integration,
                     payload("tacticalrmm", "webhook_trigger.json", alert_id="1424",
                             alert_time="2026-06-16 16:00:00"))  # fmt: skip
    assert repeat.json()["outcome"] == "occurrence_appended"
    mailing.work()
    assert len(notifications(mailing, msp.headers)) == 1  # a repeat tells nobody
    assert len(inbox.messages) == 1

    note = notifications(mailing, tech_headers)[0]
    read = mailing.client.post(f"/api/v1/notifications/{note['id']}/read", headers=tech_headers)
    assert read.json()["read_at"] is not None
    stolen = mailing.client.post(f"/api/v1/notifications/{note['id']}/read", headers=msp.headers)
    assert stolen.status_code == 404  # another user's notification is unknown


def test_without_smtp_mail_waits_in_the_outbox(stack: Stack) -> None:
    msp = new_msp(stack, connect_tactical)
    admin = stack.client.get("/api/v1/users", headers=msp.headers).json()[0]
    rule_url = f"/api/v1/integrations/{msp.integration.id}/alert-rules"
    rule = stack.client.get(rule_url, headers=msp.headers).json()[0]
    body = {"name": "all", "actions": {**rule["actions"], "notify_user_ids": [admin["id"]]}}
    assert stack.client.put(f"/api/v1/alert-rules/{rule['id']}", json=body,
                            headers=msp.headers).status_code == 200  # fmt: skip
    first = deliver(stack.client, msp.integration, payload("tacticalrmm", "webhook_trigger.json"))
    assert first.json()["outcome"] == "ticket_created"
    stack.work()
    [kept] = stack.client.get("/api/v1/email-outbox", headers=msp.headers).json()
    assert (kept["status"], kept["subject"]) == ("kept", "RMM Alert (critical): FRONTDESK-01")
    assert "/ui/tickets/" in kept["text_body"]


def test_an_unreachable_mail_server_is_retried_then_marked_failed(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from alertdesk.services.notifications import smtp
    from alertdesk.services.notifications.notify import Email, Notice, notify

    folder = tmp_path_factory.mktemp("nomail")
    with running_stack(make_database(), folder, smtp_url="smtp://127.0.0.1:9") as stack:
        msp = new_msp(stack, connect_tactical)
        admin = stack.client.get("/api/v1/users", headers=msp.headers).json()[0]
        now = datetime.now(UTC)
        with stack.runtime.database.transaction() as session:
            email = Email("Hello", "text", "<p>html</p>")
            notice = Notice("rmm-alerts", "Hello", email=email)
            sent = notify(session, msp.tenant, [uuid.UUID(admin["id"])], notice, now)
        [email_id] = sent.emails
        for _ in range(smtp.ATTEMPTS - 1):
            with pytest.raises(smtp.SendFailed):
                smtp.send_email(stack.runtime.database, "smtp://127.0.0.1:9", "a@b.c",
                                msp.tenant, email_id, now)  # fmt: skip
        final = smtp.send_email(stack.runtime.database, "smtp://127.0.0.1:9", "a@b.c",
                                msp.tenant, email_id, now)  # fmt: skip
        assert final == "failed"
        [row] = stack.client.get("/api/v1/email-outbox", headers=msp.headers).json()
        assert (row["status"], row["attempts"]) == ("failed", smtp.ATTEMPTS)
        assert "ConnectionRefusedError" in row["last_error"]
