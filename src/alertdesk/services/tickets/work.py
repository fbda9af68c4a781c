"""Working a ticket: field changes with history, comments, time entries, closing and reopening.

Every change records its actor, so a person's close is told apart from the system's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.errors import Conflict, InvalidField
from alertdesk.services.automation import events
from alertdesk.services.lookup import get_referenced
from alertdesk.services.tickets.service import check_assignee, get_ticket
from alertdesk.storage.models import (
    Priority,
    Ticket,
    TicketComment,
    TicketHistory,
    TicketStatus,
    TimeEntry,
)

MAX_MINUTES_PER_ENTRY = 24 * 60


@dataclass(frozen=True)
class TicketChanges:
    """Fields to change; `unassign` clears the assignee (assigned_to=None means unchanged)."""

    title: str | None = None
    status_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    unassign: bool = False


def update_ticket(
    session: Session,
    tenant: uuid.UUID,
    ticket_id: uuid.UUID,
    changes: TicketChanges,
    actor: Actor,
    now: datetime,
) -> Ticket:
    ticket = get_ticket(session, tenant, ticket_id)
    if changes.title is not None:
        if not changes.title.strip():
            raise InvalidField("title", "The title must not be empty.")
        ticket.title = changes.title.strip()
    if changes.priority_id is not None and changes.priority_id != ticket.priority_id:
        get_referenced(session, Priority, tenant, changes.priority_id, "priority_id")
        _record(session, ticket, "priority", ticket.priority_id, changes.priority_id, actor)
        ticket.priority_id = changes.priority_id
    if changes.unassign or changes.assigned_to is not None:
        _reassign(session, ticket, None if changes.unassign else changes.assigned_to, actor)
    if changes.status_id is not None and changes.status_id != ticket.status_id:
        set_status(session, ticket, _board_status(session, ticket, changes.status_id), actor, now)
    ticket.updated_at = now
    session.flush()
    return ticket


def _reassign(session: Session, ticket: Ticket, user_id: uuid.UUID | None, actor: Actor) -> None:
    if user_id != ticket.assigned_to:
        check_assignee(session, ticket.tenant, user_id)
        _record(session, ticket, "assignee", ticket.assigned_to, user_id, actor)
        ticket.assigned_to = user_id


def _board_status(session: Session, ticket: Ticket, status_id: uuid.UUID) -> TicketStatus:
    status = get_referenced(session, TicketStatus, ticket.tenant, status_id, "status_id")
    if status.board_id != ticket.board_id:
        raise InvalidField("status_id", "That status belongs to another board.")
    return status


def set_status(
    session: Session, ticket: Ticket, status: TicketStatus, actor: Actor, now: datetime
) -> None:
    """Move to `status`; entering a closed status closes the ticket, leaving one reopens it."""
    _record(session, ticket, "status", ticket.status_id, status.id, actor)
    ticket.status_id = status.id
    if status.is_closed and ticket.closed_at is None:
        ticket.closed_at = now
        ticket.closed_by_kind = actor.kind
        ticket.closed_by_user_id = actor.user_id
        payload = {"ticket_id": ticket.id, "actor_kind": actor.kind, "actor_user_id": actor.user_id}
        events.publish(session, ticket.tenant, events.TICKET_CLOSED, payload, now)
    elif not status.is_closed:
        ticket.closed_at = None
        ticket.closed_by_kind = None
        ticket.closed_by_user_id = None


def close_ticket(
    session: Session,
    tenant: uuid.UUID,
    ticket_id: uuid.UUID,
    actor: Actor,
    now: datetime,
    status_id: uuid.UUID | None = None,
) -> Ticket:
    """Close with `status_id` (a closed status of the board), else the board's first one."""
    ticket = get_ticket(session, tenant, ticket_id)
    if ticket.is_closed:
        raise Conflict(f"Ticket {ticket.number} is already closed.")
    if status_id is not None:
        status = _board_status(session, ticket, status_id)
        if not status.is_closed:
            raise InvalidField("status_id", f"{status.name!r} is not a closed status.")
    else:
        status = first_closed_status(session, ticket)
    set_status(session, ticket, status, actor, now)
    ticket.updated_at = now
    session.flush()
    return ticket


def first_closed_status(session: Session, ticket: Ticket) -> TicketStatus:
    status = session.scalar(
        select(TicketStatus)
        .where(
            TicketStatus.tenant == ticket.tenant,
            TicketStatus.board_id == ticket.board_id,
            TicketStatus.is_closed,
        )
        .order_by(TicketStatus.position)
        .limit(1)
    )
    if status is None:
        raise Conflict("This ticket's board has no closed status.")
    return status


def _record(
    session: Session,
    ticket: Ticket,
    field: str,
    old: uuid.UUID | None,
    new: uuid.UUID | None,
    actor: Actor,
) -> None:
    session.add(
        TicketHistory(
            tenant=ticket.tenant,
            ticket_id=ticket.id,
            field=field,
            old_value=str(old) if old else None,
            new_value=str(new) if new else None,
            actor_kind=actor.kind,
            actor_user_id=actor.user_id,
        )
    )


def add_comment(
    session: Session,
    tenant: uuid.UUID,
    ticket_id: uuid.UUID,
    body: str,
    *,
    is_internal: bool,
    actor: Actor,
    now: datetime,
) -> TicketComment:
    """A person's comment carries its author; the system's is flagged `is_system`."""
    if not body.strip():
        raise InvalidField("body", "The comment must not be empty.")
    ticket = get_ticket(session, tenant, ticket_id)
    comment = TicketComment(
        tenant=tenant,
        ticket_id=ticket.id,
        body=body.strip(),
        is_internal=is_internal,
        is_system=not actor.is_person,
        author_id=actor.user_id,
        created_at=now,
    )
    session.add(comment)
    ticket.updated_at = now
    session.flush()
    return comment


def add_time_entry(
    session: Session,
    tenant: uuid.UUID,
    ticket_id: uuid.UUID,
    user_id: uuid.UUID,
    minutes: int,
    note: str,
    now: datetime,
) -> TimeEntry:
    if not 0 < minutes <= MAX_MINUTES_PER_ENTRY:
        raise InvalidField("minutes", f"Minutes must be between 1 and {MAX_MINUTES_PER_ENTRY}.")
    ticket = get_ticket(session, tenant, ticket_id)
    entry = TimeEntry(
        tenant=tenant,
        ticket_id=ticket.id,
        user_id=user_id,
        minutes=minutes,
        note=note.strip(),
        created_at=now,
    )
    session.add(entry)
    ticket.updated_at = now
    session.flush()
    return entry
