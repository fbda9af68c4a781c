"""Reference data: clients, assets with vendor device refs, boards with statuses, priorities.

Every edit loads its row with get_owned (another tenant's id is NotFound) and checks input here,
so the REST API and the settings pages refuse the same things with the same messages.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, InvalidField
from alertdesk.providers import REGISTRY
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.storage.models import (
    Asset,
    AssetExternalRef,
    Board,
    Category,
    Client,
    Priority,
    TicketStatus,
)

COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _text(value: str, field: str, what: str, max_length: int) -> str:
    """A required name: trimmed, not empty, not longer than its column."""
    value = value.strip()
    if not value:
        raise InvalidField(field, f"The {what} must not be empty.")
    if len(value) > max_length:
        raise InvalidField(field, f"The {what} may have at most {max_length} characters.")
    return value


def _taken(
    session: Session, model: Any, tenant: uuid.UUID, name: str, but: uuid.UUID | None
) -> bool:
    """Whether another row of this tenant has this name, ignoring case."""
    query = select(model.id).where(model.tenant == tenant, func.lower(model.name) == name.lower())
    if but is not None:
        query = query.where(model.id != but)
    return session.scalar(query.limit(1)) is not None


def list_clients(session: Session, tenant: uuid.UUID) -> list[Client]:
    return list(
        session.scalars(select(Client).where(Client.tenant == tenant).order_by(Client.name))
    )


def get_client(session: Session, tenant: uuid.UUID, client_id: uuid.UUID) -> Client:
    return get_owned(session, Client, tenant, client_id)


def asset_counts(session: Session, tenant: uuid.UUID) -> dict[uuid.UUID, int]:
    """Client id → how many assets it has (clients without assets are absent)."""
    rows = session.execute(
        select(Asset.client_id, func.count())
        .where(Asset.tenant == tenant)
        .group_by(Asset.client_id)
    )
    return {client_id: count for client_id, count in rows}


def _client_name(session: Session, tenant: uuid.UUID, name: str, but: uuid.UUID | None) -> str:
    name = _text(name, "name", "client name", 200)
    if _taken(session, Client, tenant, name, but):
        raise Conflict(f"A client named {name!r} already exists.")
    return name


def create_client(session: Session, tenant: uuid.UUID, name: str) -> Client:
    client = Client(tenant=tenant, name=_client_name(session, tenant, name, None))
    session.add(client)
    session.flush()
    return client


def rename_client(session: Session, tenant: uuid.UUID, client_id: uuid.UUID, name: str) -> Client:
    client = get_owned(session, Client, tenant, client_id)
    client.name = _client_name(session, tenant, name, client.id)
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


def get_asset(
    session: Session, tenant: uuid.UUID, asset_id: uuid.UUID
) -> tuple[Asset, list[AssetExternalRef]]:
    asset = get_owned(session, Asset, tenant, asset_id)
    return asset, _refs_of(session, tenant, asset.id)


def _refs_of(session: Session, tenant: uuid.UUID, asset_id: uuid.UUID) -> list[AssetExternalRef]:
    return list(
        session.scalars(
            select(AssetExternalRef)
            .where(AssetExternalRef.tenant == tenant, AssetExternalRef.asset_id == asset_id)
            .order_by(AssetExternalRef.provider, AssetExternalRef.external_id)
        )
    )


def _serial(value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value) > 200:
        raise InvalidField("serial_number", "The serial number may have at most 200 characters.")
    return value or None


def _checked_refs(
    session: Session, tenant: uuid.UUID, refs: Sequence[ExternalRef], asset_id: uuid.UUID | None
) -> list[ExternalRef]:
    """Known providers, device ids given, each device once, and none linked to another asset."""
    checked: list[ExternalRef] = []
    for i, ref in enumerate(refs):
        if ref.provider not in REGISTRY:
            known = ", ".join(REGISTRY)
            raise InvalidField(
                f"external_refs.{i}.provider", f"Unknown provider {ref.provider!r}: use {known}."
            )
        device = _text(ref.external_id, f"external_refs.{i}.external_id", "device id", 200)
        checked.append(ExternalRef(ref.provider, device))
    if len(set(checked)) != len(checked):
        raise InvalidField("external_refs", "Each provider device may be listed only once.")
    for ref in checked:
        taken = select(AssetExternalRef.id).where(
            AssetExternalRef.tenant == tenant,
            AssetExternalRef.provider == ref.provider,
            AssetExternalRef.external_id == ref.external_id,
        )
        if asset_id is not None:
            taken = taken.where(AssetExternalRef.asset_id != asset_id)
        if session.scalar(taken) is not None:
            raise Conflict(
                f"{ref.provider} device {ref.external_id} is already linked to an asset."
            )
    return checked


def _link(
    session: Session, tenant: uuid.UUID, asset_id: uuid.UUID, refs: Sequence[ExternalRef]
) -> None:
    session.add_all(
        AssetExternalRef(
            tenant=tenant, asset_id=asset_id, provider=r.provider, external_id=r.external_id
        )
        for r in refs
    )
    session.flush()


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
    name = _text(name, "name", "asset name", 200)
    serial = _serial(serial_number)
    refs = _checked_refs(session, tenant, external_refs, None)
    asset = Asset(tenant=tenant, client_id=client_id, name=name, serial_number=serial)
    session.add(asset)
    session.flush()
    _link(session, tenant, asset.id, refs)
    return asset, _refs_of(session, tenant, asset.id)


@dataclass(frozen=True)
class AssetChanges:
    """Fields to change (None: unchanged). serial_number "" clears it; external_refs, when
    given, is the asset's whole new list of device links."""

    client_id: uuid.UUID | None = None
    name: str | None = None
    serial_number: str | None = None
    external_refs: Sequence[ExternalRef] | None = None


def update_asset(
    session: Session, tenant: uuid.UUID, asset_id: uuid.UUID, changes: AssetChanges
) -> tuple[Asset, list[AssetExternalRef]]:
    asset = get_owned(session, Asset, tenant, asset_id)
    if changes.client_id is not None:
        get_referenced(session, Client, tenant, changes.client_id, "client_id")
        asset.client_id = changes.client_id
    if changes.name is not None:
        asset.name = _text(changes.name, "name", "asset name", 200)
    if changes.serial_number is not None:
        asset.serial_number = _serial(changes.serial_number)
    if changes.external_refs is not None:
        wanted = _checked_refs(session, tenant, changes.external_refs, asset.id)
        current = _refs_of(session, tenant, asset.id)
        for row in current:
            if ExternalRef(row.provider, row.external_id) not in wanted:
                session.delete(row)
        session.flush()
        kept = {ExternalRef(r.provider, r.external_id) for r in current}
        _link(session, tenant, asset.id, [r for r in wanted if r not in kept])
    session.flush()
    return asset, _refs_of(session, tenant, asset.id)


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
    name = _text(name, "name", "board name", 200)
    if _taken(session, Board, tenant, name, but):
        raise Conflict(f"A board named {name!r} already exists.")
    return name


def create_board(
    session: Session, tenant: uuid.UUID, name: str, statuses: Sequence[StatusSpec]
) -> tuple[Board, list[TicketStatus]]:
    """A board needs exactly one default (open) status and at least one closed status."""
    for spec in statuses:
        _text(spec.name, "statuses", "status name", 100)
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
    name = _text(spec.name, "name", "status name", 100)
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
    name = _text(name, "name", "priority name", 100)
    if _taken(session, Priority, tenant, name, but):
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
