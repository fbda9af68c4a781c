"""Huntress incidents notify the people the routing settings name, like a rule's for RMM
alerts (API.md: `notify_user_ids`), in the app and by email; nobody when none are named."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.services.notifications.alert_notices import on_ticket_created, read_notices
from alertdesk.storage.models import EmailMessage, Event, Integration, Notification
from tests.conftest import TenantCtx
from tests.fakes.statements import compilations, statements
from tests.services.huntress.conftest import NOW, Setup
from tests.services.huntress.test_processor import incident, process

BASE = "https://desk.example"


def deliver_ticket_events(session: Session, tenant: TenantCtx) -> None:
    """What the outbox does after commit, for the TICKET_CREATED events written so far."""
    for event in session.scalars(
        select(Event).where(Event.tenant == tenant.id, Event.type == "TICKET_CREATED")
    ):
        on_ticket_created(session, event, NOW, BASE)
    session.flush()


def test_huntress_routing_people_are_told_in_app_and_by_email(
    session: Session, setup: Setup, tenant: TenantCtx
) -> None:
    row = session.get_one(Integration, (tenant.id, setup.source.integration_id))
    row.settings = {**row.settings, "notify_user_ids": [str(tenant.admin.id)]}
    result = process(session, setup, incident())
    assert result.ticket_id is not None
    deliver_ticket_events(session, tenant)

    [note] = session.scalars(select(Notification).where(Notification.tenant == tenant.id)).all()
    assert (note.user_id, note.ticket_id, note.category) == (
        tenant.admin.id, result.ticket_id, "rmm-alerts",
    )  # fmt: skip
    [mail] = session.scalars(select(EmailMessage).where(EmailMessage.tenant == tenant.id)).all()
    assert mail.subject == "RMM Alert (critical): FRONTDESK-01"  # the agent's hostname
    assert "Huntress" in mail.text_body
    assert f"{BASE}/ui/tickets/{result.ticket_id}" in mail.text_body
    assert mail.to_address == tenant.admin.email


def test_without_people_to_tell_nothing_is_sent(
    session: Session, setup: Setup, tenant: TenantCtx
) -> None:
    process(session, setup, incident())
    deliver_ticket_events(session, tenant)
    assert session.scalars(select(Notification).where(Notification.tenant == tenant.id)).all() == []


def test_the_notice_read_is_not_compiled_per_ticket(
    session: Session, setup: Setup, tenant: TenantCtx
) -> None:
    row = session.get_one(Integration, (tenant.id, setup.source.integration_id))
    row.settings = {**row.settings, "notify_user_ids": [str(tenant.admin.id)]}
    process(session, setup, incident())
    process(session, setup, incident(id=incident()["id"] + 1))
    first, second = session.scalars(
        select(Event).where(Event.tenant == tenant.id, Event.type == "TICKET_CREATED")
    ).all()
    on_ticket_created(session, first, NOW, BASE)  # the first one may compile it
    with compilations(session.connection()) as compiled:
        on_ticket_created(session, second, NOW, BASE)
    assert [sql for sql in compiled if sql.startswith("SELECT")] == []
    notes = session.scalars(select(Notification).where(Notification.tenant == tenant.id)).all()
    assert len(notes) == 2


def test_a_batch_of_new_tickets_reads_what_their_notices_say_at_once(
    session: Session, setup: Setup, tenant: TenantCtx
) -> None:
    row = session.get_one(Integration, (tenant.id, setup.source.integration_id))
    row.settings = {**row.settings, "notify_user_ids": [str(tenant.admin.id)]}
    for n in range(3):
        process(session, setup, incident(id=incident()["id"] + n))
    events = session.scalars(
        select(Event).where(Event.tenant == tenant.id, Event.type == "TICKET_CREATED")
    ).all()
    with statements(session.connection()) as seen:
        read_notices(session, events, NOW)  # as the outbox does for a batch
        for event in events:
            on_ticket_created(session, event, NOW, BASE)
    assert len([sql for sql in seen if "FROM alert JOIN integration" in sql]) == 1
    notes = session.scalars(select(Notification).where(Notification.tenant == tenant.id)).all()
    assert len(notes) == 3
