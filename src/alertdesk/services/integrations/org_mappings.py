"""Vendor organizations → clients: sync the list (the vendor is asked with no transaction open),
auto-link unique exact names, map by hand."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.org_names import auto_match
from alertdesk.errors import AlertdeskError, NotFound
from alertdesk.providers.base import ExternalOrg, VendorError
from alertdesk.services.integrations.client import IntegrationClient
from alertdesk.services.integrations.records import Vendor, get_integration, vendor_failure
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.storage.database import Database
from alertdesk.storage.models import Client, OrgMapping


@dataclass(frozen=True)
class SyncResult:
    total: int
    created: int
    updated: int
    auto_matched: int


def list_mappings(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID
) -> list[OrgMapping]:
    get_integration(session, tenant, integration_id)
    return list(
        session.scalars(
            select(OrgMapping)
            .where(OrgMapping.tenant == tenant, OrgMapping.integration_id == integration_id)
            .order_by(OrgMapping.external_org_name, OrgMapping.external_org_id)
        )
    )


def sync_from_vendor(
    database: Database, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor, now: datetime
) -> SyncResult:
    """Ask the vendor (no transaction open), then apply the list in a new short transaction."""
    client = IntegrationClient(database, vendor, tenant, integration_id)
    try:
        orgs = client.call(lambda api: api.list_organizations())
    except VendorError as exc:
        raise vendor_failure(client.spec, exc, field="integration") from exc
    with database.transaction() as session:
        get_integration(session, tenant, integration_id).sync_error = None
        return apply_orgs(session, tenant, integration_id, orgs, now)


def sync_after_connect(
    database: Database, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor, now: datetime
) -> list[str]:
    """Best effort right after connecting: a failure is noted, the connection stands."""
    try:
        sync_from_vendor(database, tenant, integration_id, vendor, now)
    except (AlertdeskError, VendorError) as exc:
        error = f"organization sync failed: {exc}"
        with database.transaction() as session:
            get_integration(session, tenant, integration_id).sync_error = error
        return [error]
    return []


def apply_orgs(
    session: Session,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    orgs: Sequence[ExternalOrg],
    now: datetime,
) -> SyncResult:
    """Upsert one row per org; refresh names; auto-link only new rows with a unique exact name
    (two new orgs of one name both stay unmapped).

    Existing mappings (and manual choices) are never changed except for the name.
    """
    rows = {m.external_org_id: m for m in list_mappings(session, tenant, integration_id)}
    clients = session.execute(select(Client.id, Client.name).where(Client.tenant == tenant))
    new_orgs = [(o.external_id, o.name) for o in orgs if o.external_id not in rows]
    matches = auto_match(new_orgs, ((cid, name) for cid, name in clients))
    created = updated = matched = 0
    for org in orgs:
        row = rows.get(org.external_id)
        if row is None:
            client_id = matches.get(org.external_id)
            session.add(_new_row(tenant, integration_id, org, client_id, now))
            created, matched = created + 1, matched + (client_id is not None)
            continue
        if row.external_org_name != org.name:
            row.external_org_name, updated = org.name, updated + 1
        row.last_synced_at = now
    session.flush()
    return SyncResult(len(orgs), created, updated, matched)


def _new_row(
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    org: ExternalOrg,
    client_id: uuid.UUID | None,
    now: datetime,
) -> OrgMapping:
    return OrgMapping(
        tenant=tenant,
        id=uuid.uuid4(),
        integration_id=integration_id,
        external_org_id=org.external_id,
        external_org_name=org.name,
        client_id=client_id,
        auto_create_tickets=True,
        created_at=now,
        details={"auto_matched": client_id is not None},
        last_synced_at=now,
    )


def update_mapping(
    session: Session,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    mapping_id: uuid.UUID,
    changes: dict[str, object],
) -> OrgMapping:
    """Map (or unmap, with client_id None) an organization by hand."""
    mapping = get_owned(session, OrgMapping, tenant, mapping_id)
    if mapping.integration_id != integration_id:
        raise NotFound("No such org mapping for this integration.")
    if "client_id" in changes:
        client_id = changes["client_id"]
        if client_id is not None:
            assert isinstance(client_id, uuid.UUID)
            get_referenced(session, Client, tenant, client_id, "client_id")
        mapping.client_id = client_id
        mapping.details = {**mapping.details, "auto_matched": False}
    if "auto_create_tickets" in changes:
        mapping.auto_create_tickets = bool(changes["auto_create_tickets"])
    session.flush()
    return mapping
