"""Ticket use cases: create (race-free numbers), list with filters, read with its details.

Changes to a ticket (fields, comments, time, closing) live in ticket_work.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.errors import InvalidField
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.services.tickets.opener import TicketDraft, open_ticket
from alertdesk.storage.models import (
    Asset,
    Board,
    Category,
    Client,
    Priority,
    Ticket,
    TicketAsset,
    TicketComment,
    TicketHistory,
    TicketStatus,
    TimeEntry,
    User,
)


@dataclass(frozen=True)
class NewTicket:
    title: str
    client_id: uuid.UUID
    description: str = ""
    board_id: uuid.UUID | None = None
    status_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    asset_ids: Sequence[uuid.UUID] = ()
    source: str = "manual"
    source_reference: str | None = None


def create_ticket(
    session: Session, tenant: uuid.UUID, new: NewTicket, actor: Actor, now: datetime
) -> Ticket:
    """A ticket made by a person (UI or API): every reference is checked, then it is opened."""
    title = new.title.strip()
    if not title:
        raise InvalidField("title", "The title must not be empty.")
    get_referenced(session, Client, tenant, new.client_id, "client_id")
    board = _board_for(session, tenant, new.board_id)
    asset_ids = list(dict.fromkeys(new.asset_ids))
    for asset_id in asset_ids:
        asset = get_referenced(session, Asset, tenant, asset_id, "asset_ids")
        if asset.client_id != new.client_id:
            raise InvalidField("asset_ids", f"Asset {asset.name!r} belongs to another client.")
    draft = TicketDraft(
        client_id=new.client_id,
        title=title,
        description=new.description,
        board_id=board.id,
        status_id=_status_for(session, tenant, board, new.status_id).id,
        priority_id=_priority_for(session, tenant, new.priority_id).id,
        source=new.source,
        source_reference=new.source_reference,
        category_id=_checked(session, Category, tenant, new.category_id, "category_id"),
        assigned_to=check_assignee(session, tenant, new.assigned_to),
        asset_ids=asset_ids,
    )
    return open_ticket(session, tenant, draft, actor, now)


def _board_for(session: Session, tenant: uuid.UUID, board_id: uuid.UUID | None) -> Board:
    if board_id is not None:
        return get_referenced(session, Board, tenant, board_id, "board_id")
    board = session.scalar(select(Board).where(Board.tenant == tenant, Board.is_default))
    if board is None:
        raise InvalidField("board_id", "There is no default board: choose one.")
    return board


def _status_for(
    session: Session, tenant: uuid.UUID, board: Board, status_id: uuid.UUID | None
) -> TicketStatus:
    if status_id is not None:
        status = get_referenced(session, TicketStatus, tenant, status_id, "status_id")
        if status.board_id != board.id:
            raise InvalidField("status_id", "That status belongs to another board.")
        if status.is_closed:
            raise InvalidField("status_id", "A new ticket cannot start in a closed status.")
        return status
    default = session.scalar(
        select(TicketStatus).where(
            TicketStatus.tenant == tenant,
            TicketStatus.board_id == board.id,
            TicketStatus.is_default,
        )
    )
    if default is None:
        raise InvalidField("board_id", f"Board {board.name!r} has no default status.")
    return default


def _priority_for(session: Session, tenant: uuid.UUID, priority_id: uuid.UUID | None) -> Priority:
    if priority_id is not None:
        return get_referenced(session, Priority, tenant, priority_id, "priority_id")
    default = session.scalar(
        select(Priority)
        .where(Priority.tenant == tenant)
        .order_by(Priority.is_default.desc(), Priority.position)
        .limit(1)
    )
    if default is None:
        raise InvalidField("priority_id", "There are no priorities: create one first.")
    return default


def _checked(
    session: Session, model: type[Category], tenant: uuid.UUID, row_id: uuid.UUID | None, name: str
) -> uuid.UUID | None:
    if row_id is not None:
        get_referenced(session, model, tenant, row_id, name)
    return row_id


def check_assignee(
    session: Session, tenant: uuid.UUID, user_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The id, once checked to be an active user of the tenant (None passes through)."""
    if user_id is not None:
        user = get_referenced(session, User, tenant, user_id, "assigned_to")
        if not user.is_active:
            raise InvalidField("assigned_to", "That user is deactivated.")
    return user_id


@dataclass(frozen=True)
class TicketFilter:
    state: Literal["open", "closed"] | None = None
    client_id: uuid.UUID | None = None
    board_id: uuid.UUID | None = None
    source: str | None = None
    assigned_to: uuid.UUID | None = None
    search: str | None = None
    limit: int = 200
    offset: int = 0


def list_tickets(session: Session, tenant: uuid.UUID, f: TicketFilter) -> list[Ticket]:
    query = select(Ticket).where(Ticket.tenant == tenant)
    if f.state == "open":
        query = query.where(Ticket.closed_at.is_(None))
    elif f.state == "closed":
        query = query.where(Ticket.closed_at.is_not(None))
    for column, value in (
        (Ticket.client_id, f.client_id),
        (Ticket.board_id, f.board_id),
        (Ticket.source, f.source),
        (Ticket.assigned_to, f.assigned_to),
    ):
        if value is not None:
            query = query.where(column == value)
    if f.search:
        pattern = f"%{f.search.strip()}%"
        query = query.where(Ticket.title.ilike(pattern) | Ticket.number.ilike(pattern))
    query = query.order_by(Ticket.updated_at.desc(), Ticket.number.desc())
    return list(session.scalars(query.limit(f.limit).offset(f.offset)))


@dataclass
class TicketDetail:
    ticket: Ticket
    comments: list[TicketComment] = field(default_factory=list)
    time_entries: list[TimeEntry] = field(default_factory=list)
    history: list[TicketHistory] = field(default_factory=list)
    asset_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(e.minutes for e in self.time_entries)


def get_ticket(session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID) -> Ticket:
    return get_owned(session, Ticket, tenant, ticket_id)


def get_ticket_detail(session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID) -> TicketDetail:
    ticket = get_ticket(session, tenant, ticket_id)
    asset_ids = session.scalars(
        select(TicketAsset.asset_id).where(
            TicketAsset.tenant == tenant, TicketAsset.ticket_id == ticket_id
        )
    )
    return TicketDetail(
        ticket,
        _children(session, TicketComment, ticket),
        _children(session, TimeEntry, ticket),
        _children(session, TicketHistory, ticket),
        list(asset_ids),
    )


Child = TypeVar("Child", TicketComment, TimeEntry, TicketHistory)


def _children(session: Session, model: type[Child], ticket: Ticket) -> list[Child]:
    return list(
        session.scalars(
            select(model)
            .where(model.tenant == ticket.tenant, model.ticket_id == ticket.id)
            .order_by(model.created_at)
        )
    )
