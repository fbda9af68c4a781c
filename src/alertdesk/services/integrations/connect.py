"""Integrations (one per tenant and provider): connect with vendor-validated credentials,
settings, disconnect. Credentials and the webhook secret are encrypted with the Vault; the
secret is returned on connect and to admins asking for the webhook setup, never elsewhere."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.types import Severity
from alertdesk.errors import Conflict, InvalidField, UpstreamError
from alertdesk.providers import REGISTRY, ProviderSpec, get_provider
from alertdesk.providers.base import VendorApi, VendorError, WebhookRegistrar, plain_secrets
from alertdesk.services.integrations.vault import Vault, new_webhook_secret
from alertdesk.services.lookup import get_owned
from alertdesk.storage.models import Integration

OAUTH_PENDING = "awaiting_authorization"


class PollingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    interval_minutes: Annotated[int, Field(ge=5, le=60)] = 15


class IntegrationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    polling: PollingSettings = PollingSettings()
    default_severity: Severity = "none"
    authorization: str = Field(default="client_credentials", pattern="^(client_credentials|oauth)$")


@dataclass(frozen=True)
class Vendor:
    """What services need to talk to vendors: the HTTP client and the secret store."""

    http: httpx.Client
    vault: Vault


def get_integration(session: Session, tenant: uuid.UUID, integration_id: uuid.UUID) -> Integration:
    return get_owned(session, Integration, tenant, integration_id)


def list_integrations(session: Session, tenant: uuid.UUID) -> list[Integration]:
    query = select(Integration).where(Integration.tenant == tenant).order_by(Integration.provider)
    return list(session.scalars(query))


def provider_of(integration: Integration) -> ProviderSpec:
    spec = get_provider(integration.provider)
    if spec is None:
        raise Conflict(f"Provider {integration.provider!r} is not available in this version.")
    return spec


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], raw: dict[str, Any], field: str) -> M:
    """Validate `raw`; the first problem becomes a 422 naming `field.<where>`."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidField(f"{field}.{where}" if where else field, first["msg"]) from exc


def parse_settings(raw: dict[str, Any]) -> IntegrationSettings:
    return _validated(IntegrationSettings, raw, "settings")


URL_PARTS = "Give only scheme, host, port and path: no spaces, user:password@, ?query or #fragment."
URL_EXAMPLE = "Give the vendor's address, e.g. https://eu.ninjarmm.com"
HOST = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+")  # a name (IDNA-encoded) or an IPv6 address


def _instance_url(url: str) -> str:
    """scheme://host[:port][/path] only: a query or fragment would swallow every vendor path."""
    text = url.strip()
    if not text.isprintable() or any(mark in text for mark in " \\?#@"):
        raise InvalidField("instance_url", URL_PARTS)
    if not _port_ok(text):
        raise InvalidField("instance_url", "The port must be a number from 1 to 65535.")
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL:
        parsed = httpx.URL("")
    host = parsed.raw_host.decode("ascii")
    if parsed.scheme not in ("http", "https") or not HOST.fullmatch(host):
        raise InvalidField("instance_url", URL_EXAMPLE)
    return str(parsed).rstrip("/")


def _port_ok(text: str) -> bool:
    """No port, or a number from 1 to 65535 (a URL broken otherwise fails the checks after)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return True
    try:
        return parts.port != 0
    except ValueError:
        return False


def vendor_failure(spec: ProviderSpec, exc: VendorError, field: str = "credentials") -> Exception:
    """Rejected credentials are the caller's to fix (422); anything else is upstream (502)."""
    if exc.is_auth_error:
        return InvalidField(field, f"{spec.label} rejected these credentials: {exc}")
    return UpstreamError(str(exc))


def api_for(spec: ProviderSpec, integration: Integration, vendor: Vendor) -> VendorApi:
    if integration.credentials_encrypted is None or integration.instance_url is None:
        raise Conflict("This integration is not connected.")
    creds = spec.credentials.model_validate(
        vendor.vault.decrypt_json(integration.credentials_encrypted)
    )
    return spec.make_api(integration.instance_url, creds, vendor.http)


def remember_credentials(integration: Integration, api: VendorApi, vendor: Vendor) -> None:
    """Store what the API holds now: NinjaOne rotates refresh tokens on every use."""
    integration.credentials_encrypted = vendor.vault.encrypt_json(api.credentials())


def webhook_url(base_url: str, integration: Integration) -> str:
    return f"{base_url.rstrip('/')}/webhooks/{integration.provider}/{integration.id}"


@dataclass(frozen=True)
class ConnectRequest:
    provider: str
    instance_url: str
    credentials: dict[str, Any]
    settings: dict[str, Any]
    name: str | None = None


def connect(
    session: Session,
    tenant: uuid.UUID,
    request: ConnectRequest,
    vendor: Vendor,
    base_url: str,
    now: datetime,
) -> tuple[Integration, str]:
    """Validate with the vendor, then store; returns the integration and its webhook secret."""
    spec = get_provider(request.provider)
    if spec is None:
        raise InvalidField("provider", f"Unknown provider; use one of: {', '.join(REGISTRY)}.")
    creds = _validated(spec.credentials, request.credentials, "credentials")
    settings = parse_settings(request.settings)
    if settings.authorization == "oauth" and spec.name != "ninjaone":
        raise InvalidField("settings.authorization", f"{spec.label} has no OAuth sign-in.")
    integration = _claim_row(session, tenant, spec, now)
    integration.instance_url = _instance_url(request.instance_url)
    integration.name = request.name or spec.label
    integration.settings = settings.model_dump(mode="json")
    secret = new_webhook_secret()
    integration.webhook_secret_encrypted = vendor.vault.encrypt(secret)
    integration.credentials_encrypted = vendor.vault.encrypt_json(plain_secrets(creds))
    session.flush()
    if settings.authorization == "oauth":
        integration.sync_status, integration.is_active = OAUTH_PENDING, False
        return integration, secret
    activate(
        integration,
        spec.make_api(integration.instance_url, creds, vendor.http),
        spec,
        vendor,
        base_url,
        now,
    )
    return integration, secret


def _claim_row(
    session: Session, tenant: uuid.UUID, spec: ProviderSpec, now: datetime
) -> Integration:
    """The tenant's row for this provider: a disconnected one is reused (history stays linked)."""
    existing = session.scalar(
        select(Integration).where(Integration.tenant == tenant, Integration.provider == spec.name)
    )
    if existing is not None and existing.is_active:
        raise Conflict(f"{spec.label} is already connected; disconnect it first.")
    if existing is not None:
        return existing
    row = Integration(
        tenant=tenant, id=uuid.uuid4(), provider=spec.name, created_at=now, settings={}
    )
    session.add(row)
    return row


def activate(
    integration: Integration,
    api: VendorApi,
    spec: ProviderSpec,
    vendor: Vendor,
    base_url: str,
    now: datetime,
) -> None:
    """Check the credentials, point the vendor's webhook at us, and mark the row connected."""
    try:
        api.validate()
        if isinstance(api, WebhookRegistrar) and integration.webhook_secret_encrypted:
            secret = vendor.vault.decrypt(integration.webhook_secret_encrypted)
            api.register_webhook(webhook_url(base_url, integration), secret)
    except VendorError as exc:
        raise vendor_failure(spec, exc) from exc
    remember_credentials(integration, api, vendor)
    integration.is_active, integration.sync_status, integration.sync_error = True, "ok", None
    integration.connected_at = integration.updated_at = now


def update_settings(
    session: Session,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    changes: dict[str, Any],
    now: datetime,
) -> Integration:
    integration = get_integration(session, tenant, integration_id)
    merged = {**integration.settings, **changes}
    if "polling" in changes and isinstance(changes["polling"], dict):
        merged["polling"] = {**integration.settings.get("polling", {}), **changes["polling"]}
    integration.settings = parse_settings(merged).model_dump(mode="json")
    integration.updated_at = now
    session.flush()
    return integration


def disconnect(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor, now: datetime
) -> list[str]:
    """Deactivate and forget the secrets; alerts, tickets and mappings stay. Returns warnings."""
    integration = get_integration(session, tenant, integration_id)
    spec = provider_of(integration)
    warnings = []
    if integration.is_active and integration.credentials_encrypted:
        try:
            api = api_for(spec, integration, vendor)
            if isinstance(api, WebhookRegistrar):
                api.remove_webhook()
        except VendorError as exc:
            warnings.append(f"could not remove the webhook at {spec.label}: {exc}")
    integration.is_active = False
    integration.credentials_encrypted = integration.webhook_secret_encrypted = None
    integration.sync_status, integration.sync_error = "disconnected", None
    integration.updated_at = now
    session.flush()
    return warnings


def webhook_setup(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor, base_url: str
) -> dict[str, Any]:
    """How to point the vendor at us, with the secret filled in (admins only)."""
    integration = get_integration(session, tenant, integration_id)
    spec = provider_of(integration)
    if integration.webhook_secret_encrypted is None:
        raise Conflict("This integration is not connected.")
    secret = vendor.vault.decrypt(integration.webhook_secret_encrypted)
    url = webhook_url(base_url, integration)
    setup: dict[str, Any] = {
        "webhook_url": url,
        "header": {"name": "X-Alertdesk-Secret", "value": secret},
        "url_with_token": f"{url}?token={secret}",
        "registered_automatically": spec.webhook_setup is None,
    }
    if spec.webhook_setup is not None:
        setup[spec.name] = spec.webhook_setup(url, secret)
    return setup
