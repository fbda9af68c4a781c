"""The ticket draft for an alert: routing (board, priority, assignee), text, asset, first note.

Used by the pipeline (rule matched), the manual "create ticket" action and, later, workflows;
tickets.opener.open_ticket writes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Uuid, and_, bindparam, case, literal, select
from sqlalchemy.orm import Session

from alertdesk.core.priority import PriorityOption, priority_for_severity
from alertdesk.core.rules import RuleActions
from alertdesk.core.templates import ticket_text
from alertdesk.core.types import AlertEvent, provider_label
from alertdesk.errors import InvalidField
from alertdesk.services.tickets.opener import TicketDraft
from alertdesk.storage.database import read_once
from alertdesk.storage.direct import Direct
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


@dataclass(frozen=True)
class _Routing:
    board_id: uuid.UUID
    status_id: uuid.UUID
    assignee: uuid.UUID | None
    priorities: list[tuple[uuid.UUID, str, int, bool]]  # (id, name, position, is_default)


def _routing_statement() -> Select[tuple[Any, ...]]:
    """Built once (bound parameters: the tenant, the rule's board and assignee, NULL when it
    names none, which matches no row)."""
    tenant = bindparam("tenant", type_=Uuid)
    board = bindparam("board_id", type_=Uuid)
    assignee = (
        select(User.id)
        .where(User.tenant == tenant, User.id == bindparam("user_id", type_=Uuid), User.is_active)
        .scalar_subquery()
    )
    route = (
        select(Board.id.label("board_id"), TicketStatus.id.label("status_id"),
               assignee.label("assignee"))
        .join(TicketStatus, and_(TicketStatus.tenant == tenant,
                                 TicketStatus.board_id == Board.id, TicketStatus.is_default))
        .where(Board.tenant == tenant, (Board.id == board) | Board.is_default)
        .order_by(case((Board.id == board, 0), else_=1))
        .limit(1)
        .subquery()
    )  # fmt: skip
    return (
        select(route.c.board_id, route.c.status_id, route.c.assignee, Priority.id,
               Priority.name, Priority.position, Priority.is_default)
        .select_from(select(literal(1).label("one")).subquery())
        .outerjoin(route, literal(True))
        .outerjoin(Priority, Priority.tenant == tenant)
    )  # fmt: skip


_ROUTING = Direct(_routing_statement())


def _routing(session: Session, tenant: uuid.UUID, actions: RuleActions) -> _Routing:
    """Board, its default status, assignee and the priorities, read in one statement: the
    rule's board when it still exists, else the default one; the rule's assignee while an
    active user, else nobody. Read once per transaction (the tickets of deliveries taken
    together mostly share it)."""
    key = (tenant, actions.board_id, actions.assign_to_user_id)

    def read() -> _Routing | None:
        rows = _ROUTING.rows(session, {"tenant": tenant, "board_id": key[1], "user_id": key[2]})
        board_id, status_id, user_id = rows[0][:3]
        priorities = [(r[3], r[4], r[5], r[6]) for r in rows if r[3] is not None]
        found = board_id is not None and status_id is not None
        return _Routing(board_id, status_id, user_id, priorities) if found else None

    if (routing := read_once(session, "routings", key, read)) is None:
        raise InvalidField("board_id", "No board with a default status is available.")
    return routing


def _priority(routing: _Routing, event: AlertEvent, override: uuid.UUID | None) -> uuid.UUID:
    """The override if it still exists, else the severity mapping, else the default priority."""
    rows = routing.priorities
    if not rows:
        raise InvalidField("priority_id", "There are no priorities.")
    if override is not None and any(r[0] == override for r in rows):
        return override
    mapped = priority_for_severity(event.severity, [PriorityOption(*r[:3]) for r in rows])
    if mapped is not None:
        return mapped
    return next((r[0] for r in rows if r[3]), min(rows, key=lambda r: r[2])[0])


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
    routing = _routing(session, tenant, actions)
    title, description = ticket_text(
        event, request.organization, actions.title_template, actions.description_template
    )
    return TicketDraft(
        client_id=request.client_id,
        title=title,
        description=description,
        board_id=routing.board_id,
        status_id=routing.status_id,
        priority_id=_priority(routing, event, actions.priority_override),
        source=event.provider,
        source_reference=event.external_alert_id,
        assigned_to=routing.assignee,
        asset_ids=[request.asset_id] if request.asset_id is not None else [],
        first_note=first_note(event),
    )
