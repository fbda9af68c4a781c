"""Ticket creation for an alert: routing (board, priority, assignee), text, asset, first note.

Used by the pipeline (rule matched), the manual "create ticket" action and, later, workflows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM
from alertdesk.core.priority import PriorityOption, priority_for_severity
from alertdesk.core.rules import RuleActions
from alertdesk.core.templates import ticket_text
from alertdesk.core.types import AlertEvent, provider_label
from alertdesk.errors import InvalidField
from alertdesk.services.automation import events
from alertdesk.services.tickets.service import allocate_number
from alertdesk.storage.models import (
    Board,
    Priority,
    Ticket,
    TicketAsset,
    TicketComment,
    TicketStatus,
    User,
)


@dataclass(frozen=True)
class AlertTicketRequest:
    event: AlertEvent
    client_id: uuid.UUID
    asset_id: uuid.UUID | None
    organization: str | None
    actions: RuleActions


def _route(
    session: Session, tenant: uuid.UUID, board_id: uuid.UUID | None
) -> tuple[uuid.UUID, uuid.UUID]:
    """(board, its default status): the requested board when it still exists, else the default."""
    row = session.execute(
        select(Board.id, TicketStatus.id)
        .join(
            TicketStatus,
            and_(
                TicketStatus.tenant == tenant,
                TicketStatus.board_id == Board.id,
                TicketStatus.is_default,
            ),
        )
        .where(Board.tenant == tenant, (Board.id == board_id) | Board.is_default)
        .order_by(case((Board.id == board_id, 0), else_=1))
        .limit(1)
    ).first()
    if row is None:
        raise InvalidField("board_id", "No board with a default status is available.")
    return row[0], row[1]


def _priority(
    session: Session, tenant: uuid.UUID, event: AlertEvent, override: uuid.UUID | None
) -> uuid.UUID:
    """The override if it still exists, else the severity mapping, else the default priority."""
    rows = session.execute(
        select(Priority.id, Priority.name, Priority.position, Priority.is_default).where(
            Priority.tenant == tenant
        )
    ).all()
    if not rows:
        raise InvalidField("priority_id", "There are no priorities.")
    if override is not None and any(r.id == override for r in rows):
        return override
    options = [PriorityOption(r.id, r.name, r.position) for r in rows]
    mapped = priority_for_severity(event.severity, options)
    if mapped is not None:
        return mapped
    fallback: uuid.UUID = next(
        (r.id for r in rows if r.is_default), min(rows, key=lambda r: r.position).id
    )
    return fallback


def _assignee(session: Session, tenant: uuid.UUID, user_id: uuid.UUID | None) -> uuid.UUID | None:
    """The rule's assignee while they are an active user of the tenant, else nobody."""
    if user_id is None:
        return None
    active = session.scalar(
        select(User.id).where(User.tenant == tenant, User.id == user_id, User.is_active)
    )
    return active


def first_note(event: AlertEvent) -> str:
    lines = [
        f"Ticket created automatically from a {provider_label(event.provider)} alert.",
        f"External alert ID: {event.external_alert_id}",
    ]
    if event.external_device_id:
        lines.append(f"External device ID: {event.external_device_id}")
    lines.append(f"Severity: {event.severity}")
    return "\n".join(lines)


def create_alert_ticket(session: Session, request: AlertTicketRequest, now: datetime) -> Ticket:
    """Resolve everything that can fail before writing anything, then insert the ticket."""
    event, actions, tenant = request.event, request.actions, request.event.tenant
    board_id, status_id = _route(session, tenant, actions.board_id)
    priority_id = _priority(session, tenant, event, actions.priority_override)
    assignee = _assignee(session, tenant, actions.assign_to_user_id)
    title, description = ticket_text(
        event, request.organization, actions.title_template, actions.description_template
    )
    ticket = Ticket(
        tenant=tenant,
        id=uuid.uuid4(),
        number=allocate_number(session, tenant),
        title=title,
        description=description,
        client_id=request.client_id,
        board_id=board_id,
        status_id=status_id,
        priority_id=priority_id,
        assigned_to=assignee,
        source=event.provider,
        source_reference=event.external_alert_id,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()  # the ticket row first: comments, links and the alert refer to it
    if request.asset_id is not None:
        session.add(TicketAsset(tenant=tenant, ticket_id=ticket.id, asset_id=request.asset_id))
    add_system_note(session, tenant, ticket.id, first_note(event), now)
    events.publish(
        session,
        tenant,
        events.TICKET_CREATED,
        {"ticket_id": ticket.id, "source": event.provider, "actor_kind": SYSTEM.kind},
        now,
    )
    return ticket


def add_system_note(
    session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID, body: str, now: datetime
) -> None:
    """An internal comment by the system (it never makes a ticket "touched")."""
    session.add(
        TicketComment(
            tenant=tenant,
            id=uuid.uuid4(),
            ticket_id=ticket_id,
            body=body,
            is_internal=True,
            is_system=True,
            author_id=None,
            created_at=now,
        )
    )
