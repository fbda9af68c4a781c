"""Reference data: clients, assets with vendor device refs, boards with statuses, priorities."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, InvalidField
from alertdesk.services.lookup import get_referenced
from alertdesk.storage.models import (
    Asset,
    AssetExternalRef,
    Board,
    Category,
    Client,
    Priority,
    TicketStatus,
)


def list_clients(session: Session, tenant: uuid.UUID) -> list[Client]:
    return list(
        session.scalars(select(Client).where(Client.tenant == tenant).order_by(Client.name))
    )


def create_client(session: Session, tenant: uuid.UUID, name: str) -> Client:
    name = name.strip()
    if not name:
        raise InvalidField("name", "The client name must not be empty.")
    clash = select(Client.id).where(
        Client.tenant == tenant, func.lower(Client.name) == name.lower()
    )
    if session.scalar(clash) is not None:
        raise Conflict(f"A client named {name!r} already exists.")
    client = Client(tenant=tenant, name=name)
    session.add(client)
    session.flush()
    return client


@dataclass(frozen=True)
class ExternalRef:
    provider: str
    external_id: str


def list_assets(
    session: Session, tenant: uuid.UUID, client_id: uuid.UUID | None = None
) -> list[tuple[Asset, list[AssetExternalRef]]]:
    query = select(Asset).where(Asset.tenant == tenant).order_by(Asset.name)
    if client_id is not None:
        query = query.where(Asset.client_id == client_id)
    assets = list(session.scalars(query))
    refs: dict[uuid.UUID, list[AssetExternalRef]] = {a.id: [] for a in assets}
    if assets:
        for ref in session.scalars(
            select(AssetExternalRef).where(
                AssetExternalRef.tenant == tenant, AssetExternalRef.asset_id.in_(refs)
            )
        ):
            refs[ref.asset_id].append(ref)
    return [(a, refs[a.id]) for a in assets]


def create_asset(
    session: Session,
    tenant: uuid.UUID,
    *,
    client_id: uuid.UUID,
    name: str,
    serial_number: str | None,
    external_refs: Sequence[ExternalRef],
) -> tuple[Asset, list[AssetExternalRef]]:
    get_referenced(session, Client, tenant, client_id, "client_id")
    if len(set(external_refs)) != len(external_refs):
        raise InvalidField("external_refs", "Each provider device may be listed only once.")
    for ref in external_refs:
        taken = select(AssetExternalRef.id).where(
            AssetExternalRef.tenant == tenant,
            AssetExternalRef.provider == ref.provider,
            AssetExternalRef.external_id == ref.external_id,
        )
        if session.scalar(taken) is not None:
            raise Conflict(
                f"{ref.provider} device {ref.external_id} is already linked to an asset."
            )
    asset = Asset(
        tenant=tenant, client_id=client_id, name=name.strip(), serial_number=serial_number
    )
    session.add(asset)
    session.flush()
    rows = [
        AssetExternalRef(
            tenant=tenant, asset_id=asset.id, provider=r.provider, external_id=r.external_id
        )
        for r in external_refs
    ]
    session.add_all(rows)
    session.flush()
    return asset, rows


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


def create_board(
    session: Session, tenant: uuid.UUID, name: str, statuses: Sequence[StatusSpec]
) -> tuple[Board, list[TicketStatus]]:
    """A board needs exactly one default (open) status and at least one closed status."""
    if sum(s.is_default for s in statuses) != 1:
        raise InvalidField("statuses", "Mark exactly one status as the default.")
    if not any(s.is_closed for s in statuses):
        raise InvalidField("statuses", "Add at least one closed status.")
    if any(s.is_default and s.is_closed for s in statuses):
        raise InvalidField("statuses", "The default status for new tickets cannot be closed.")
    if len({s.name.strip().lower() for s in statuses}) != len(statuses):
        raise InvalidField("statuses", "Status names must be unique within a board.")
    if session.scalar(select(Board.id).where(Board.tenant == tenant, Board.name == name)):
        raise Conflict(f"A board named {name!r} already exists.")
    board = Board(tenant=tenant, name=name.strip(), is_default=False)
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


def list_priorities(session: Session, tenant: uuid.UUID) -> list[Priority]:
    return list(
        session.scalars(
            select(Priority).where(Priority.tenant == tenant).order_by(Priority.position)
        )
    )


def create_priority(session: Session, tenant: uuid.UUID, name: str, color: str | None) -> Priority:
    name = name.strip()
    if session.scalar(select(Priority.id).where(Priority.tenant == tenant, Priority.name == name)):
        raise Conflict(f"A priority named {name!r} already exists.")
    last = session.scalar(select(func.max(Priority.position)).where(Priority.tenant == tenant))
    position = 0 if last is None else last + 1
    priority = Priority(tenant=tenant, name=name, color=color, position=position)
    session.add(priority)
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
