"""What a provider can do, as Protocols: services depend on these, not on vendor modules.
A ProviderSpec (providers/__init__.py) says which of them a provider has."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, SecretStr

from alertdesk.core.types import AlertEvent, Severity

# json_schema_extra of a credentials field that a flow sets, not the connect form
NOT_IN_FORM: dict[str, Any] = {"connect_form": False}


@dataclass(frozen=True)
class AlertRef:
    """Enough to address one alert at the vendor."""

    provider: str
    instance_url: str | None
    external_alert_id: str
    external_alert_uid: str | None
    external_device_id: str | None = None  # with the condition: to find a missing uid
    condition: str | None = None


@dataclass(frozen=True)
class ExternalOrg:
    external_id: str
    name: str


class VendorError(Exception):
    """The vendor refused, failed or could not be reached; `status` is its HTTP status if any."""

    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after  # seconds, when a 429 said so

    @property
    def is_auth_error(self) -> bool:
        return self.status in (400, 401, 403)


OutboundError = VendorError


class BadPayload(ValueError):
    """A webhook body that cannot be understood (→ 400, naming what is wrong)."""


@dataclass(frozen=True)
class WebhookContext:
    tenant: uuid.UUID
    integration_id: uuid.UUID
    default_severity: Severity
    now: datetime


@dataclass(frozen=True)
class Ignored:
    """A delivery that is valid but not an alert we act on (answered 200, processed: false)."""

    reason: str


class WebhookSource(Protocol):
    def parse(self, body: bytes) -> Any:
        """Decode the raw body (whatever the Content-Type); raise BadPayload."""
        ...

    def normalize(self, payload: Any, ctx: WebhookContext) -> AlertEvent | Ignored:
        """Map one delivery to an event; raise BadPayload when a required field is missing."""
        ...


@runtime_checkable
class OutboundAdapter(Protocol):
    """A vendor API that can clear an alert (the `outbound` capability)."""

    def reset_alert(self, alert: AlertRef) -> None:
        """Clear the alert at the vendor; raise VendorError on failure."""
        ...


class VendorApi(Protocol):
    """One integration's vendor API client (built per operation with an httpx.Client)."""

    def validate(self) -> None:
        """Check the credentials with a cheap authenticated call; raise VendorError."""
        ...

    def list_organizations(self) -> Sequence[ExternalOrg]: ...

    def credentials(self) -> dict[str, Any]:
        """The credentials to store now (a rotated refresh token, for instance)."""
        ...


@runtime_checkable
class AlertFetcher(Protocol):
    """A vendor API that can list its active alerts (for reconciliation polling)."""

    def fetch_active_alerts(self, ctx: WebhookContext) -> Sequence[AlertEvent]: ...


class OAuthApi(VendorApi, Protocol):
    """A vendor API that can also sign in with an authorization code (the `oauth` capability)."""

    def authorize_url(self, redirect_uri: str, state: str) -> str: ...

    def exchange_code(self, code: str, redirect_uri: str) -> None:
        """Trade the code for tokens, kept in `credentials()`; raise VendorError."""
        ...


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_in: float | None  # seconds, as the vendor said (None: it did not say)


@runtime_checkable
class TokenAuth(Protocol):
    """A vendor API that authenticates with short-lived access tokens (NinjaOne). Its caller
    hands it a cached token, or fetches one: under a lock when `spends_refresh_token`, since
    the vendor may rotate the refresh token and `credentials()` must be stored at once."""

    @property
    def spends_refresh_token(self) -> bool: ...

    def fetch_token(self) -> AccessToken: ...

    def use_token(self, token: AccessToken) -> None: ...


@runtime_checkable
class WebhookRegistrar(Protocol):
    """A vendor API that can point its webhook at us (NinjaOne); others are set up by hand."""

    def register_webhook(self, url: str, secret: str) -> None: ...

    def remove_webhook(self) -> None: ...


def plain_secrets(model: BaseModel) -> dict[str, Any]:
    """A credentials model as plain JSON-able values (secrets revealed, None dropped)."""
    return {
        k: v.get_secret_value() if isinstance(v, SecretStr) else v
        for k, v in model
        if v is not None
    }
