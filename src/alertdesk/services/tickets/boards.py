"""Boards with their statuses, priorities and categories: how a tenant sorts its tickets.

Every edit loads its row with get_owned (another tenant's id is NotFound) and checks input here,
so the REST API and the settings pages refuse the same things with the same messages.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, InvalidField
from alertdesk.services.lookup import get_owned
from alertdesk.services.tickets.names import name_taken, required_text
from alertdesk.storage.models import Board, Category, Priority, TicketStatus

COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def list_boards(session: Session, tenant: uuid.UUID) -> list[tuple[Board, list[TicketStatus]]]:
    boards = list(session.scalars(select(Board).where(Board.tenant == tenant).order_by(Board.name)))
    statuses: dict[uuid.UUID, list[TicketStatus]] = {b.id: [] for b in boards}
    for status in session.scalars(
        select(TicketStatus).where(TicketStatus.tenant == tenant).order_by(TicketStatus.position)
    ):
        statuses[status.board_id].append(status)
    return [(b, statuses[b.id]) for b in boards]


@dataclass(frozen=True)
class StatusSpec:
    name: str
    is_default: bool = False
    is_closed: bool = False


def get_board(
    session: Session, tenant: uuid.UUID, board_id: uuid.UUID
) -> tuple[Board, list[TicketStatus]]:
    board = get_owned(session, Board, tenant, board_id)
    return board, _statuses_of(session, tenant, board.id)


def _statuses_of(session: Session, tenant: uuid.UUID, board_id: uuid.UUID) -> list[TicketStatus]:
    return list(
        session.scalars(
            select(TicketStatus)
            .where(TicketStatus.tenant == tenant, TicketStatus.board_id == board_id)
            .order_by(TicketStatus.position)
        )
    )


def _board_name(session: Session, tenant: uuid.UUID, name: str, but: uuid.UUID | None) -> str:
    name = required_text(name, "name", "board name", 200)
    if name_taken(session, Board, tenant, name, but):
        raise Conflict(f"A board named {name!r} already exists.")
    return name


def create_board(
    session: Session, tenant: uuid.UUID, name: str, statuses: Sequence[StatusSpec]
) -> tuple[Board, list[TicketStatus]]:
    """A board needs exactly one default (open) status and at least one closed status."""
    for spec in statuses:
        required_text(spec.name, "statuses", "status name", 100)
    if sum(s.is_default for s in statuses) != 1:
        raise InvalidField("statuses", "Mark exactly one status as the default.")
    if not any(s.is_closed for s in statuses):
        raise InvalidField("statuses", "Add at least one closed status.")
    if any(s.is_default and s.is_closed for s in statuses):
        raise InvalidField("statuses", "The default status for new tickets cannot be closed.")
    if len({s.name.strip().lower() for s in statuses}) != len(statuses):
        raise InvalidField("statuses", "Status names must be unique within a board.")
    board = Board(tenant=tenant, name=_board_name(session, tenant, name, None), is_default=False)
    session.add(board)
    session.flush()
    rows = [
        TicketStatus(
            tenant=tenant,
            board_id=board.id,
            name=s.name.strip(),
            is_default=s.is_default,
            is_closed=s.is_closed,
            position=i,
        )
        for i, s in enumerate(statuses)
    ]
    session.add_all(rows)
    session.flush()
    return board, rows


def update_board(
    session: Session,
    tenant: uuid.UUID,
    board_id: uuid.UUID,
    *,
    name: str | None = None,
    is_default: bool | None = None,
) -> tuple[Board, list[TicketStatus]]:
    """Rename a board, or make it the default one (where tickets go when none is named)."""
    board = get_owned(session, Board, tenant, board_id)
    if name is not None:
        board.name = _board_name(session, tenant, name, board.id)
    if is_default is False and board.is_default:
        raise InvalidField(
            "is_default", "One board is always the default: make another board the default."
        )
    if is_default and not board.is_default:
        session.execute(
            update(Board)
            .where(Board.tenant == tenant, Board.is_default, Board.id != board.id)
            .values(is_default=False)
        )
        session.flush()
        board.is_default = True
    session.flush()
    return board, _statuses_of(session, tenant, board.id)


def add_status(
    session: Session, tenant: uuid.UUID, board_id: uuid.UUID, spec: StatusSpec
) -> TicketStatus:
    """Append a status to a board; a new default status takes over from the old one."""
    board = get_owned(session, Board, tenant, board_id)
    name = required_text(spec.name, "name", "status name", 100)
    existing = _statuses_of(session, tenant, board.id)
    if any(s.name.lower() == name.lower() for s in existing):
        raise InvalidField("name", f"This board already has a status named {name!r}.")
    if spec.is_default and spec.is_closed:
        raise InvalidField("is_default", "The default status for new tickets cannot be closed.")
    if spec.is_default:
        for status in existing:
            status.is_default = False
        session.flush()
    position = max((s.position for s in existing), default=-1) + 1
    status = TicketStatus(
        tenant=tenant,
        board_id=board.id,
        name=name,
        is_default=spec.is_default,
        is_closed=spec.is_closed,
        position=position,
    )
    session.add(status)
    session.flush()
    return status


def list_priorities(session: Session, tenant: uuid.UUID) -> list[Priority]:
    return list(
        session.scalars(
            select(Priority).where(Priority.tenant == tenant).order_by(Priority.position)
        )
    )


def get_priority(session: Session, tenant: uuid.UUID, priority_id: uuid.UUID) -> Priority:
    return get_owned(session, Priority, tenant, priority_id)


def _priority_name(session: Session, tenant: uuid.UUID, name: str, but: uuid.UUID | None) -> str:
    name = required_text(name, "name", "priority name", 100)
    if name_taken(session, Priority, tenant, name, but):
        raise Conflict(f"A priority named {name!r} already exists.")
    return name


def _color(value: str | None) -> str | None:
    """A colour as #rrggbb, or None for none."""
    value = (value or "").strip()
    if value and not COLOR.fullmatch(value):
        raise InvalidField("color", "Use a colour like #3056d3 (# and six hex digits).")
    return value or None


def create_priority(session: Session, tenant: uuid.UUID, name: str, color: str | None) -> Priority:
    name = _priority_name(session, tenant, name, None)
    color = _color(color)
    last = session.scalar(select(func.max(Priority.position)).where(Priority.tenant == tenant))
    position = 0 if last is None else last + 1
    priority = Priority(tenant=tenant, name=name, color=color, position=position)
    session.add(priority)
    session.flush()
    return priority


def update_priority(
    session: Session,
    tenant: uuid.UUID,
    priority_id: uuid.UUID,
    *,
    name: str | None = None,
    color: str | None = None,
) -> Priority:
    """Rename or recolour a priority (None: unchanged; color "" removes the colour)."""
    priority = get_owned(session, Priority, tenant, priority_id)
    if name is not None:
        priority.name = _priority_name(session, tenant, name, priority.id)
    if color is not None:
        priority.color = _color(color)
    session.flush()
    return priority


def list_categories(session: Session, tenant: uuid.UUID) -> list[Category]:
    return list(
        session.scalars(select(Category).where(Category.tenant == tenant).order_by(Category.name))
    )


def create_category(
    session: Session, tenant: uuid.UUID, name: str, description: str | None
) -> Category:
    name = name.strip()
    if session.scalar(select(Category.id).where(Category.tenant == tenant, Category.name == name)):
        raise Conflict(f"A category named {name!r} already exists.")
    category = Category(tenant=tenant, name=name, description=description)
    session.add(category)
    session.flush()
    return category
