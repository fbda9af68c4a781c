"""Integrations (admin): connect, read, settings, disconnect, webhook setup, org mappings,
and the log of recent webhook deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import Field

from alertdesk.providers import get_provider
from alertdesk.services.huntress import settings as huntress_settings
from alertdesk.services.integrations import (
    deliveries,
    inbox,
    lifecycle,
    oauth,
    org_mappings,
    polling,
)
from alertdesk.services.integrations import records as svc
from alertdesk.storage.database import Database
from alertdesk.storage.models import Integration, OrgMapping
from alertdesk.web import integration_actions as actions
from alertdesk.web.api.schemas import Input, Output
from alertdesk.web.deps import (
    AdminUser,
    BaseUrlDep,
    DatabaseDep,
    DetachedAdmin,
    NowDep,
    SessionDep,
    VendorDep,
)

router = APIRouter(prefix="/integrations", tags=["integrations"])


class IntegrationIn(Input):
    provider: str = Field(min_length=1, max_length=50)
    instance_url: str = Field(min_length=1, max_length=500)
    credentials: dict[str, Any]
    settings: dict[str, Any] = {}
    name: str | None = Field(default=None, max_length=200)


class IntegrationOut(Output):
    id: uuid.UUID
    provider: str
    name: str
    is_active: bool
    instance_url: str | None
    settings: dict[str, Any]
    webhook_url: str | None  # null: this provider sends no webhooks (Huntress is polled)
    sync_status: str
    sync_error: str | None
    last_poll_at: datetime | None
    next_poll_at: datetime | None  # null: not polled (disconnected, polling off, or no API)
    connected_at: datetime | None
    authorize_url: str | None = None
    status: dict[str, Any] | None = None  # Huntress: account, routing, organizations, tickets


class ConnectedOut(IntegrationOut):
    webhook_secret: str | None
    warnings: list[str] = []


def _has_webhook(integration: Integration) -> bool:
    spec = get_provider(integration.provider)
    return spec is not None and spec.webhook is not None


def _out(integration: Integration, base_url: str) -> IntegrationOut:
    authorize = None
    if integration.sync_status == svc.OAUTH_PENDING:
        start = oauth.start_path(integration.provider)
        authorize = f"{base_url}{start}?integration_id={integration.id}"
    return IntegrationOut(
        id=integration.id,
        provider=integration.provider,
        name=integration.name,
        is_active=integration.is_active,
        instance_url=integration.instance_url,
        settings=integration.settings,
        webhook_url=svc.webhook_url(base_url, integration) if _has_webhook(integration) else None,
        sync_status=integration.sync_status,
        sync_error=integration.sync_error,
        last_poll_at=integration.last_poll_at,
        next_poll_at=polling.next_poll_at(integration),
        connected_at=integration.connected_at,
        authorize_url=authorize,
    )


@router.get("")
def list_integrations(
    session: SessionDep, user: AdminUser, base_url: BaseUrlDep
) -> list[IntegrationOut]:
    return [_out(i, base_url) for i in svc.list_integrations(session, user.tenant)]


@router.post("", status_code=201)
def connect(
    body: IntegrationIn,
    database: DatabaseDep,
    user: DetachedAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> ConnectedOut:
    """Checked at the vendor before anything is stored (no transaction open meanwhile)."""
    request = svc.ConnectRequest(
        body.provider, body.instance_url, body.credentials, body.settings, body.name
    )
    integration, secret = lifecycle.connect(database, user.tenant, request, vendor, base_url, now)
    warnings = actions.finish_connect(database, user.tenant, integration, vendor, now)
    out = _read(database, user.tenant, integration.id, base_url)
    shown = secret if out.webhook_url else None  # no webhook, no secret to show
    return ConnectedOut(**out.model_dump(), webhook_secret=shown, warnings=warnings)


def _read(
    database: Database, tenant: uuid.UUID, integration_id: uuid.UUID, base_url: str
) -> IntegrationOut:
    with database.transaction() as session:
        return _out(svc.get_integration(session, tenant, integration_id), base_url)


@router.get("/{integration_id}")
def get_integration(
    integration_id: uuid.UUID, session: SessionDep, user: AdminUser, base_url: BaseUrlDep
) -> IntegrationOut:
    integration = svc.get_integration(session, user.tenant, integration_id)
    out = _out(integration, base_url)
    if svc.provider_of(integration).polls_incidents:
        out.status = huntress_settings.status(session, integration)
    return out


class SettingsPatch(Input):
    settings: dict[str, Any]


@router.patch("/{integration_id}")
def update_settings(
    integration_id: uuid.UUID,
    body: SettingsPatch,
    session: SessionDep,
    user: AdminUser,
    base_url: BaseUrlDep,
    now: NowDep,
) -> IntegrationOut:
    integration = svc.get_integration(session, user.tenant, integration_id)
    if svc.provider_of(integration).settings is not None:  # Huntress routing
        integration = huntress_settings.update_settings(session, integration, body.settings, now)
    else:
        integration = svc.update_settings(session, user.tenant, integration_id, body.settings, now)
    return _out(integration, base_url)


@router.delete("/{integration_id}")
def disconnect(
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> dict[str, Any]:
    warnings = lifecycle.disconnect(database, user.tenant, integration_id, vendor, now)
    out = _read(database, user.tenant, integration_id, base_url).model_dump(mode="json")
    return {"integration": out, "warnings": warnings}


@router.get("/{integration_id}/webhook-setup")
def webhook_setup(
    integration_id: uuid.UUID,
    session: SessionDep,
    user: AdminUser,
    vendor: VendorDep,
    base_url: BaseUrlDep,
) -> dict[str, Any]:
    """What to paste into the vendor (the secret is included: admins only)."""
    return svc.webhook_setup(session, user.tenant, integration_id, vendor, base_url)


@router.post("/{integration_id}/webhook-secret/rotate")
def rotate_webhook_secret(
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> dict[str, str]:
    """A new webhook secret (shown once here); the old one is refused from now on."""
    secret = lifecycle.rotate_webhook_secret(
        database, user.tenant, integration_id, vendor, base_url, now
    )
    return {"webhook_secret": secret}


class MappingOut(Output):
    id: uuid.UUID
    external_org_id: str
    external_org_name: str | None
    client_id: uuid.UUID | None
    auto_create_tickets: bool
    details: dict[str, Any]
    last_synced_at: datetime | None


class MappingPatch(Input):
    client_id: uuid.UUID | None = None
    auto_create_tickets: bool | None = None


@router.get("/{integration_id}/org-mappings")
def list_mappings(
    integration_id: uuid.UUID, session: SessionDep, user: AdminUser
) -> list[MappingOut]:
    rows = org_mappings.list_mappings(session, user.tenant, integration_id)
    return [MappingOut.model_validate(m) for m in rows]


@router.post("/{integration_id}/org-mappings/sync")
def sync_mappings(
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedAdmin,
    vendor: VendorDep,
    now: NowDep,
) -> dict[str, int]:
    result = org_mappings.sync_from_vendor(database, user.tenant, integration_id, vendor, now)
    return result.__dict__


@router.patch("/{integration_id}/org-mappings/{mapping_id}")
def update_mapping(
    integration_id: uuid.UUID,
    mapping_id: uuid.UUID,
    body: MappingPatch,
    session: SessionDep,
    user: AdminUser,
) -> MappingOut:
    changes = {k: getattr(body, k) for k in body.model_fields_set}
    if changes.get("auto_create_tickets") is None:
        changes.pop("auto_create_tickets", None)
    mapping: OrgMapping = org_mappings.update_mapping(
        session, user.tenant, integration_id, mapping_id, changes
    )
    return MappingOut.model_validate(mapping)


class InboundOut(Output):
    id: uuid.UUID
    received_at: datetime
    status: str
    auth_method: str
    content_type: str | None
    attempts: int
    outcome: dict[str, Any]
    error: str | None
    processed_at: datetime | None
    size: int


@router.get("/{integration_id}/inbound-events")
def inbound_events(
    integration_id: uuid.UUID,
    session: SessionDep,
    user: AdminUser,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[InboundOut]:
    svc.get_integration(session, user.tenant, integration_id)
    rows = inbox.list_recent(session, user.tenant, integration_id, limit)  # bodies not loaded
    return [InboundOut.model_validate(r) for r in rows]


@router.post("/{integration_id}/inbound-events/replay")
def replay_failed(
    integration_id: uuid.UUID, database: DatabaseDep, user: DetachedAdmin, now: NowDep
) -> dict[str, int]:
    """Process again the deliveries that failed, each in its own transaction (the request
    holds none open meanwhile)."""
    with database.transaction() as session:
        svc.get_integration(session, user.tenant, integration_id)
    return deliveries.replay(database, user.tenant, integration_id, now).__dict__


@router.post("/{integration_id}/poll")
def poll_now(
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedAdmin,
    vendor: VendorDep,
    now: NowDep,
) -> dict[str, Any]:
    """Run one cycle now and answer its counts (API.md): an RMM reconciliation (502 when the
    vendor fails) or a Huntress incident poll (vendor failures counted in `errors`); 409 while
    a cycle of this integration runs."""
    return actions.poll_now(database, vendor, user.tenant, integration_id, now)
