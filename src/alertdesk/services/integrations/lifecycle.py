"""Connect and disconnect integrations. They take the Database, not a Session: they read and
commit, call the vendor with no transaction open, then write the result in a new one."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict
from alertdesk.providers import ProviderSpec
from alertdesk.providers.base import VendorApi, VendorError, WebhookRegistrar, plain_secrets
from alertdesk.services.integrations.client import IntegrationClient
from alertdesk.services.integrations.records import (
    OAUTH_PENDING,
    CheckedRequest,
    ConnectRequest,
    Vendor,
    check_request,
    get_integration,
    hook_url,
    provider_of,
    vendor_failure,
)
from alertdesk.services.integrations.vault import new_webhook_secret
from alertdesk.storage.database import Database
from alertdesk.storage.models import Integration, IntegrationRoute


def connect(
    database: Database,
    tenant: uuid.UUID,
    request: ConnectRequest,
    vendor: Vendor,
    base_url: str,
    now: datetime,
) -> tuple[Integration, str]:
    """Check with the vendor, then store; returns the integration and its webhook secret.

    Nothing is written before the vendor accepts, so a failure (or a crash before the write)
    leaves nothing behind that could block the next attempt.
    """
    checked = check_request(request)
    with database.transaction() as session:
        integration_id = _free_row_id(session, tenant, checked.spec)
    secret = new_webhook_secret()
    credentials = plain_secrets(checked.credentials)
    oauth = checked.oauth  # checked at the vendor once authorized
    if not oauth:
        api = checked.spec.make_api(checked.instance_url, checked.credentials, vendor.http)
        check_at_vendor(
            api, checked.spec, hook_url(base_url, checked.spec.name, integration_id), secret
        )
        credentials = api.credentials()
    with database.transaction() as session:
        integration = _claim_row(session, tenant, checked.spec, integration_id, now)
        _fill(integration, checked)
        integration.webhook_secret_encrypted = vendor.vault.encrypt(secret)
        integration.credentials_encrypted = vendor.vault.encrypt_json(credentials)
        if oauth:
            integration.sync_status, integration.is_active = OAUTH_PENDING, False
        else:
            mark_connected(integration, now)
    return integration, secret


def _row_of(
    session: Session, tenant: uuid.UUID, spec: ProviderSpec, lock: bool = False
) -> Integration | None:
    query = select(Integration).where(
        Integration.tenant == tenant, Integration.provider == spec.name
    )
    return session.scalar(query.with_for_update() if lock else query)


def _free_row_id(session: Session, tenant: uuid.UUID, spec: ProviderSpec) -> uuid.UUID:
    """The id the integration will have: a disconnected row is reused (history stays linked)."""
    existing = _row_of(session, tenant, spec)
    if existing is not None and existing.is_active:
        raise Conflict(f"{spec.label} is already connected; disconnect it first.")
    return existing.id if existing is not None else uuid.uuid4()


def _claim_row(
    session: Session,
    tenant: uuid.UUID,
    spec: ProviderSpec,
    integration_id: uuid.UUID,
    now: datetime,
) -> Integration:
    """The row chosen before the vendor call, unless another connect got there meanwhile."""
    existing = _row_of(session, tenant, spec, lock=True)
    if existing is not None and existing.is_active:
        raise Conflict(f"{spec.label} is already connected; disconnect it first.")
    if existing is not None and existing.id != integration_id:
        raise Conflict(f"{spec.label} was being connected at the same moment; try again.")
    if existing is not None:
        return existing
    row = Integration(
        tenant=tenant, id=integration_id, provider=spec.name, created_at=now, settings={}
    )
    session.add_all([row, IntegrationRoute(integration_id=integration_id, tenant=tenant)])
    return row


def _fill(integration: Integration, checked: CheckedRequest) -> None:
    integration.instance_url = checked.instance_url
    integration.name = checked.name
    integration.settings = checked.settings.model_dump(mode="json")


def check_at_vendor(api: VendorApi, spec: ProviderSpec, webhook_url: str, secret: str) -> None:
    """Check the credentials and point the vendor's webhook at us (no transaction open)."""
    try:
        api.validate()
        if isinstance(api, WebhookRegistrar):
            api.register_webhook(webhook_url, secret)
    except VendorError as exc:
        raise vendor_failure(spec, exc) from exc


def mark_connected(integration: Integration, now: datetime) -> None:
    integration.is_active, integration.sync_status, integration.sync_error = True, "ok", None
    integration.connected_at = integration.updated_at = now


def disconnect(
    database: Database, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor, now: datetime
) -> list[str]:
    """Deactivate and forget the secrets; alerts, tickets and mappings stay. Returns warnings."""
    with database.transaction() as session:
        integration = get_integration(session, tenant, integration_id)
        spec = provider_of(integration)
        connected = integration.is_active and integration.credentials_encrypted is not None
    warnings = _remove_webhook(database, tenant, integration_id, vendor) if connected else []
    with database.transaction() as session:
        integration = get_integration(session, tenant, integration_id)
        integration.is_active = False
        integration.credentials_encrypted = integration.webhook_secret_encrypted = None
        integration.sync_status, integration.sync_error = "disconnected", None
        integration.updated_at = now
    return [f"could not remove the webhook at {spec.label}: {w}" for w in warnings]


def _remove_webhook(
    database: Database, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor
) -> list[str]:
    try:
        client = IntegrationClient(database, vendor, tenant, integration_id)
        client.call(_remove)
    except Conflict:  # disconnected meanwhile: nothing left to remove
        return []
    except VendorError as exc:
        return [str(exc)]
    return []


def _remove(api: VendorApi) -> None:
    if isinstance(api, WebhookRegistrar):
        api.remove_webhook()


def rotate_webhook_secret(
    database: Database,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    vendor: Vendor,
    base_url: str,
    now: datetime,
) -> str:
    """A new webhook secret; the old one stops working at once. A vendor that registers its
    webhook through its API (NinjaOne) gets the new one first, so a refusal changes nothing;
    for the others the admin pastes it into the vendor (the setup shows it)."""
    with database.transaction() as session:
        integration = get_integration(session, tenant, integration_id)
        spec = provider_of(integration)
        if not integration.is_active or integration.webhook_secret_encrypted is None:
            raise Conflict(f"{integration.name} is not connected.")
        if spec.webhook is None:
            raise Conflict(f"{spec.label} sends no webhooks: alertdesk polls it.")
        url = hook_url(base_url, spec.name, integration_id)
    secret = new_webhook_secret()
    if spec.webhook_setup is None:  # registered through the vendor's API
        try:
            client = IntegrationClient(database, vendor, tenant, integration_id)
            client.call(lambda api: _register(api, url, secret))
        except VendorError as exc:
            raise vendor_failure(spec, exc) from exc
    with database.transaction() as session:
        integration = get_integration(session, tenant, integration_id)
        integration.webhook_secret_encrypted = vendor.vault.encrypt(secret)
        integration.updated_at = now
    return secret


def _register(api: VendorApi, url: str, secret: str) -> None:
    if isinstance(api, WebhookRegistrar):
        api.register_webhook(url, secret)
