"""Ticket services with a real session: who acted (a person or the system) is always recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM, Actor
from alertdesk.errors import Conflict, InvalidField, NotFound
from alertdesk.services.tickets import service as svc
from alertdesk.services.tickets import work
from alertdesk.services.tickets.reference import create_client
from alertdesk.storage.models import Ticket, TicketHistory, TicketStatus
from tests.conftest import TenantCtx

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def ticket(session: Session, tenant: TenantCtx) -> Ticket:
    client = create_client(session, tenant.id, "Acme")
    new = svc.NewTicket(title="Disk full", client_id=client.id, source="alert")
    return svc.create_ticket(session, tenant.id, new, Actor.user(tenant.admin.id), NOW)


def statuses(session: Session, ticket: Ticket) -> dict[str, TicketStatus]:
    rows = session.scalars(select(TicketStatus).where(TicketStatus.board_id == ticket.board_id))
    return {s.name: s for s in rows}


def history(session: Session, ticket: Ticket) -> list[TicketHistory]:
    return svc.get_ticket_detail(session, ticket.tenant, ticket.id).history


def test_create_ticket_keeps_the_callers_source(ticket: Ticket) -> None:
    assert (ticket.number, ticket.source) == ("TKT-000001", "alert")
    assert (ticket.created_at, ticket.updated_at) == (NOW, NOW)
    assert ticket.is_closed is False


def test_system_close(session: Session, tenant: TenantCtx, ticket: Ticket) -> None:
    later = NOW + timedelta(hours=1)
    closed = work.close_ticket(session, tenant.id, ticket.id, SYSTEM, later)
    assert closed.is_closed is True
    assert closed.closed_at == later
    assert closed.updated_at == later
    assert closed.closed_by_kind == "system"
    assert closed.closed_by_user_id is None
    assert closed.status_id == statuses(session, ticket)["Closed"].id
    [row] = history(session, ticket)
    assert (row.field, row.actor_kind, row.actor_user_id) == ("status", "system", None)
    assert row.new_value == str(closed.status_id)


def test_person_close_is_told_apart_from_system_close(session: Session, tenant: TenantCtx) -> None:
    client = create_client(session, tenant.id, "Acme")
    by_person, by_system = (
        svc.create_ticket(
            session, tenant.id, svc.NewTicket(title=t, client_id=client.id), SYSTEM, NOW
        )
        for t in ("person", "system")
    )
    work.close_ticket(session, tenant.id, by_person.id, Actor.user(tenant.admin.id), NOW)
    work.close_ticket(session, tenant.id, by_system.id, SYSTEM, NOW)
    assert (by_person.closed_by_kind, by_person.closed_by_user_id) == ("user", tenant.admin.id)
    assert (by_system.closed_by_kind, by_system.closed_by_user_id) == ("system", None)
    [person_row] = history(session, by_person)
    [system_row] = history(session, by_system)
    assert (person_row.actor_kind, person_row.actor_user_id) == ("user", tenant.admin.id)
    assert (system_row.actor_kind, system_row.actor_user_id) == ("system", None)


def test_system_comment(session: Session, tenant: TenantCtx, ticket: Ticket) -> None:
    comment = work.add_comment(
        session, tenant.id, ticket.id, " Alert resolved ", is_internal=True, actor=SYSTEM, now=NOW
    )
    assert comment.is_system is True
    assert comment.author_id is None
    assert comment.body == "Alert resolved"
    person = work.add_comment(
        session,
        tenant.id,
        ticket.id,
        "thanks",
        is_internal=False,
        actor=Actor.user(tenant.admin.id),
        now=NOW,
    )
    assert (person.is_system, person.author_id) == (False, tenant.admin.id)
    comments = svc.get_ticket_detail(session, tenant.id, ticket.id).comments
    assert {c.id for c in comments} == {comment.id, person.id}


def test_system_status_change_then_person_reopen(
    session: Session, tenant: TenantCtx, ticket: Ticket
) -> None:
    named = statuses(session, ticket)
    closed = work.update_ticket(
        session, tenant.id, ticket.id, work.TicketChanges(status_id=named["Closed"].id), SYSTEM, NOW
    )
    assert (closed.closed_by_kind, closed.closed_at) == ("system", NOW)
    reopened = work.update_ticket(
        session,
        tenant.id,
        ticket.id,
        work.TicketChanges(status_id=named["In Progress"].id),
        Actor.user(tenant.admin.id),
        NOW,
    )
    assert reopened.is_closed is False
    assert (reopened.closed_by_kind, reopened.closed_by_user_id) == (None, None)
    kinds = sorted(r.actor_kind for r in history(session, ticket))
    assert kinds == ["system", "user"]


def test_closing_a_closed_ticket_conflicts(
    session: Session, tenant: TenantCtx, ticket: Ticket
) -> None:
    work.close_ticket(session, tenant.id, ticket.id, SYSTEM, NOW)
    with pytest.raises(Conflict):
        work.close_ticket(session, tenant.id, ticket.id, Actor.user(tenant.admin.id), NOW)
    assert ticket.closed_by_kind == "system"


@pytest.mark.parametrize("minutes", [0, -1, work.MAX_MINUTES_PER_ENTRY + 1])
def test_time_entry_bounds_hold_below_the_api(
    session: Session, tenant: TenantCtx, ticket: Ticket, minutes: int
) -> None:
    with pytest.raises(InvalidField) as raised:
        work.add_time_entry(session, tenant.id, ticket.id, tenant.admin.id, minutes, "", NOW)
    assert raised.value.field == "minutes"


@pytest.mark.parametrize("body", ["", "   "])
def test_empty_comment_is_rejected_below_the_api(
    session: Session, tenant: TenantCtx, ticket: Ticket, body: str
) -> None:
    with pytest.raises(InvalidField) as raised:
        work.add_comment(
            session, tenant.id, ticket.id, body, is_internal=True, actor=SYSTEM, now=NOW
        )
    assert raised.value.field == "body"


def test_services_are_tenant_scoped(
    session: Session, ticket: Ticket, make_tenant: Callable[..., TenantCtx]
) -> None:
    other = make_tenant()
    with pytest.raises(NotFound):
        work.close_ticket(session, other.id, ticket.id, SYSTEM, NOW)
    with pytest.raises(NotFound):
        svc.get_ticket(session, other.id, ticket.id)
    assert svc.list_tickets(session, other.id, svc.TicketFilter()) == []
