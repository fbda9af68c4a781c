"""The OAuth authorization-code flow of providers with the `oauth` capability (NinjaOne),
with a CSRF-safe state.

The state is random, stored only as a hash, bound to the admin's UI session, single use,
and expires after ten minutes.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, Conflict
from alertdesk.providers.base import OAuthApi, VendorError
from alertdesk.services.accounts.auth import digest
from alertdesk.services.integrations.lifecycle import check_at_vendor, mark_connected
from alertdesk.services.integrations.records import (
    OAUTH_PENDING,
    Vendor,
    get_integration,
    provider_of,
    vendor_failure,
    webhook_url,
)
from alertdesk.storage.database import Database
from alertdesk.storage.models import Integration, OAuthState, User

STATE_LIFETIME = timedelta(minutes=10)


def start_path(provider: str) -> str:
    return f"/api/v1/integrations/{provider}/oauth/start"


def callback_path(provider: str) -> str:
    """The redirect URI registered at the vendor (it must not change)."""
    return f"/api/v1/integrations/{provider}/oauth/callback"


class InvalidState(AlertdeskError):
    """Unknown, used, expired or foreign state: the authorization is refused."""

    status_code = 400


def _api(integration: Integration, provider: str, vendor: Vendor) -> OAuthApi:
    """The integration's API for the flow, if it is of `provider` and that has one."""
    spec = provider_of(integration)
    encrypted = integration.credentials_encrypted
    if spec.oauth is None or spec.name != provider or encrypted is None:
        raise Conflict("Only an integration waiting for an OAuth authorization can do this.")
    creds = spec.credentials.model_validate(vendor.vault.decrypt_json(encrypted))
    return spec.oauth.make_api(integration.instance_url or "", creds, vendor.http)


def start(
    session: Session,
    admin: User,
    provider: str,
    integration_id: uuid.UUID,
    session_binding: str,
    vendor: Vendor,
    base_url: str,
    now: datetime,
) -> str:
    """Remember a fresh state for this admin's session; return the vendor's authorize URL."""
    integration = get_integration(session, admin.tenant, integration_id)
    if integration.sync_status != OAUTH_PENDING:
        raise Conflict("This integration is not waiting for an authorization.")
    api = _api(integration, provider, vendor)
    state = secrets.token_urlsafe(32)
    session.add(
        OAuthState(
            tenant=admin.tenant,
            id=uuid.uuid4(),
            integration_id=integration.id,
            user_id=admin.id,
            state_hash=digest(state),
            session_hash=digest(session_binding),
            expires_at=now + STATE_LIFETIME,
            created_at=now,
        )
    )
    session.flush()
    return api.authorize_url(base_url + callback_path(integration.provider), state)


def claim_state(
    session: Session, admin: User, state: str, session_binding: str, now: datetime
) -> OAuthState:
    """Check and use up the state (the caller commits this even if the exchange then fails)."""
    row = session.scalar(
        select(OAuthState)
        .where(OAuthState.tenant == admin.tenant, OAuthState.state_hash == digest(state))
        .with_for_update()
    )
    if row is None or row.user_id != admin.id or row.session_hash != digest(session_binding):
        raise InvalidState("This authorization was not started from your session.")
    if row.used_at is not None:
        raise InvalidState("This authorization link was already used. Start again.")
    if row.expires_at <= now:
        raise InvalidState("This authorization expired (10 minutes). Start again.")
    row.used_at = now
    session.flush()
    return row


def complete(
    database: Database,
    admin: User,
    provider: str,
    claimed: OAuthState,
    code: str,
    vendor: Vendor,
    base_url: str,
    now: datetime,
) -> Integration:
    """Trade the code for tokens, then connect as with client credentials: the vendor is
    called between two short transactions, and the refresh token is stored by the second."""
    with database.transaction() as session:
        integration = _waiting(session, admin.tenant, claimed.integration_id)
        api, spec = _api(integration, provider, vendor), provider_of(integration)
        redirect_uri = base_url + callback_path(integration.provider)
        url, encrypted = webhook_url(base_url, integration), integration.webhook_secret_encrypted
    if encrypted is None:
        raise InvalidState("This integration is not waiting for an authorization.")
    secret = vendor.vault.decrypt(encrypted)
    try:
        api.exchange_code(code, redirect_uri)
    except VendorError as exc:
        raise vendor_failure(spec, exc, field="code") from exc
    check_at_vendor(api, spec, url, secret)
    with database.transaction() as session:
        integration = _waiting(session, admin.tenant, claimed.integration_id, lock=True)
        integration.credentials_encrypted = vendor.vault.encrypt_json(api.credentials())
        mark_connected(integration, now)
    return integration


def _waiting(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, lock: bool = False
) -> Integration:
    integration = get_integration(session, tenant, integration_id)
    if lock:
        session.refresh(integration, with_for_update=True)
    if integration.sync_status != OAUTH_PENDING:
        raise InvalidState("This integration is not waiting for an authorization.")
    return integration
