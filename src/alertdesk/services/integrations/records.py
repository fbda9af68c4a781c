"""Integration records (one per tenant and provider): lookups, settings, the checks on what an
admin sends to connect, and the webhook setup. Connecting and disconnecting (which call the
vendor) are in lifecycle.py; the webhook secret is shown only to admins."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
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
from alertdesk.providers.base import VendorError
from alertdesk.services.integrations.tokens import TokenCache
from alertdesk.services.integrations.vault import Vault
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
    """What services need to talk to vendors: the HTTP client, the secret store, and the
    access tokens cached in this process."""

    http: httpx.Client
    vault: Vault
    tokens: TokenCache = field(default_factory=TokenCache)


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


def validated(model: type[M], raw: dict[str, Any], field: str) -> M:
    """Validate `raw`; the first problem becomes a 422 naming `field.<where>`."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidField(f"{field}.{where}" if where else field, first["msg"]) from exc


def parse_settings(raw: dict[str, Any]) -> IntegrationSettings:
    return validated(IntegrationSettings, raw, "settings")


URL_PARTS = "Give only scheme, host, port and path: no spaces, user:password@, ?query or #fragment."
URL_EXAMPLE = (
    "Give the vendor's address: http(s)://host[:port][/path], e.g. https://rmm.example.com"
)
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


def webhook_url(base_url: str, integration: Integration) -> str:
    return hook_url(base_url, integration.provider, integration.id)


def hook_url(base_url: str, provider: str, integration_id: uuid.UUID) -> str:
    return f"{base_url.rstrip('/')}/webhooks/{provider}/{integration_id}"


@dataclass(frozen=True)
class ConnectRequest:
    provider: str
    instance_url: str
    credentials: dict[str, Any]
    settings: dict[str, Any]
    name: str | None = None


@dataclass(frozen=True)
class CheckedRequest:
    """A connect request whose every field passed validation (nothing asked of the vendor yet)."""

    spec: ProviderSpec
    credentials: BaseModel
    settings: BaseModel  # the provider's own model, else IntegrationSettings
    instance_url: str
    name: str
    oauth: bool = False  # authorized later, in the browser


def check_request(request: ConnectRequest) -> CheckedRequest:
    spec = get_provider(request.provider)
    if spec is None:
        raise InvalidField("provider", f"Unknown provider; use one of: {', '.join(REGISTRY)}.")
    creds = validated(spec.credentials, request.credentials, "credentials")
    url = _instance_url(request.instance_url)
    name = request.name or spec.label
    if spec.settings is not None:
        own = validated(spec.settings, request.settings, "settings")
        return CheckedRequest(spec, creds, own, url, name)
    settings = parse_settings(request.settings)
    if settings.authorization == "oauth" and spec.oauth is None:
        raise InvalidField("settings.authorization", f"{spec.label} has no OAuth sign-in.")
    return CheckedRequest(spec, creds, settings, url, name, settings.authorization == "oauth")


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


def webhook_setup(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor, base_url: str
) -> dict[str, Any]:
    """How to point the vendor at us, with the secret filled in (admins only)."""
    integration = get_integration(session, tenant, integration_id)
    spec = provider_of(integration)
    if spec.webhook is None:
        raise Conflict(f"{spec.label} sends no webhooks: alertdesk polls it.")
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


def active_integrations_by_provider(session: Session, tenant: uuid.UUID) -> dict[str, uuid.UUID]:
    """The tenant's connected integrations (one per provider), by provider."""
    rows = session.execute(
        select(Integration.provider, Integration.id).where(
            Integration.tenant == tenant,
            Integration.is_active,
            Integration.credentials_encrypted.is_not(None),
        )
    )
    return {provider: integration_id for provider, integration_id in rows}
