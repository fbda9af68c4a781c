"""The ticket draft for an alert: routing (board, priority, assignee), text, asset, first note.

Used by the pipeline (rule matched), the manual "create ticket" action and, later, workflows;
tickets.opener.open_ticket writes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session

from alertdesk.core.priority import PriorityOption, priority_for_severity
from alertdesk.core.rules import RuleActions
from alertdesk.core.templates import ticket_text
from alertdesk.core.types import AlertEvent, provider_label
from alertdesk.errors import InvalidField
from alertdesk.services.tickets.opener import TicketDraft
from alertdesk.storage.models import (
    Board,
    Priority,
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
    session: Session, tenant: uuid.UUID, actions: RuleActions
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID | None]:
    """(board, its default status, assignee), read in one statement: the rule's board when it
    still exists, else the default one; the rule's assignee while an active user, else nobody."""
    assignee = (
        select(User.id)
        .where(User.tenant == tenant, User.id == actions.assign_to_user_id, User.is_active)
        .scalar_subquery()
    )
    row = session.execute(
        select(Board.id, TicketStatus.id, assignee)
        .join(
            TicketStatus,
            and_(
                TicketStatus.tenant == tenant,
                TicketStatus.board_id == Board.id,
                TicketStatus.is_default,
            ),
        )
        .where(Board.tenant == tenant, (Board.id == actions.board_id) | Board.is_default)
        .order_by(case((Board.id == actions.board_id, 0), else_=1))
        .limit(1)
    ).first()
    if row is None:
        raise InvalidField("board_id", "No board with a default status is available.")
    return row[0], row[1], row[2]


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


def first_note(event: AlertEvent) -> str:
    lines = [
        f"Ticket created automatically from a {provider_label(event.provider)} alert.",
        f"External alert ID: {event.external_alert_id}",
    ]
    if event.external_device_id:
        lines.append(f"External device ID: {event.external_device_id}")
    lines.append(f"Severity: {event.severity}")
    return "\n".join(lines)


def alert_ticket_draft(session: Session, request: AlertTicketRequest) -> TicketDraft:
    """Everything that can fail is resolved here, before anything is written."""
    event, actions, tenant = request.event, request.actions, request.event.tenant
    board_id, status_id, assignee = _route(session, tenant, actions)
    title, description = ticket_text(
        event, request.organization, actions.title_template, actions.description_template
    )
    return TicketDraft(
        client_id=request.client_id,
        title=title,
        description=description,
        board_id=board_id,
        status_id=status_id,
        priority_id=_priority(session, tenant, event, actions.priority_override),
        source=event.provider,
        source_reference=event.external_alert_id,
        assigned_to=assignee,
        asset_ids=[request.asset_id] if request.asset_id is not None else [],
        first_note=first_note(event),
    )
