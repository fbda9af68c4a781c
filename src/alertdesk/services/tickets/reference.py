"""Reference data: clients, and assets with their vendor device refs (boards, statuses,
priorities and categories are in boards.py).

Every edit loads its row with get_owned (another tenant's id is NotFound) and checks input here,
so the REST API and the settings pages refuse the same things with the same messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, InvalidField
from alertdesk.providers import REGISTRY
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.services.tickets.names import name_taken, required_text
from alertdesk.storage.models import Asset, AssetExternalRef, Client


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
    name = required_text(name, "name", "client name", 200)
    if name_taken(session, Client, tenant, name, but):
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
        device = required_text(ref.external_id, f"external_refs.{i}.external_id", "device id", 200)
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
    name = required_text(name, "name", "asset name", 200)
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
        asset.name = required_text(changes.name, "name", "asset name", 200)
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
