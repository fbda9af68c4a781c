"""One integration's vendor API, used with no transaction open: credentials are read in a short
transaction, a token refresh runs under the integration's row lock and commits rotated
credentials at once, and access tokens are cached per process."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, NotFound
from alertdesk.providers.base import AlertRef, OutboundAdapter, TokenAuth, VendorApi, VendorError
from alertdesk.services.integrations.records import Vendor, get_integration, provider_of
from alertdesk.services.integrations.tokens import TokenKey
from alertdesk.storage.database import Database
from alertdesk.storage.models import Integration

T = TypeVar("T")


class IntegrationClient:
    """`IntegrationClient(database, vendor, tenant, id).call(lambda api: api.validate())`;
    never inside a transaction of the caller's. It is also an OutboundAdapter, which refuses
    when the provider has no `outbound` capability."""

    def __init__(
        self, database: Database, vendor: Vendor, tenant: uuid.UUID, integration_id: uuid.UUID
    ) -> None:
        self.database, self.vendor = database, vendor
        self.tenant, self.integration_id = tenant, integration_id
        self._api: VendorApi | None = None
        self._cached = False  # the API holds a token from the cache (the vendor may refuse it)
        with database.transaction() as session:
            integration = get_integration(session, tenant, integration_id)
            self.spec = provider_of(integration)
            self._load(integration)

    def _load(self, integration: Integration) -> None:
        if integration.credentials_encrypted is None or integration.instance_url is None:
            raise Conflict("This integration is not connected.")
        self.instance_url = integration.instance_url
        self._credentials: dict[str, Any] = self.vendor.vault.decrypt_json(
            integration.credentials_encrypted
        )
        self.key: TokenKey = (self.tenant, self.integration_id, integration.connected_at)

    def call(self, operation: Callable[[VendorApi], T]) -> T:
        """Run one operation; a cached token that the vendor refuses is replaced once."""
        try:
            return operation(self._ready())
        except VendorError as exc:
            if exc.status != 401 or not self._cached:
                raise
        self.vendor.tokens.forget(self.key)
        self._api = None
        return operation(self._ready())

    def reset_alert(self, alert: AlertRef) -> None:
        self.call(lambda api: self._outbound(api).reset_alert(alert))

    def _outbound(self, api: VendorApi) -> OutboundAdapter:
        if not self.spec.outbound or not isinstance(api, OutboundAdapter):
            raise Conflict(f"{self.spec.label} alerts cannot be reset from alertdesk.")
        return api

    def _make(self) -> VendorApi:
        creds = self.spec.credentials.model_validate(self._credentials)
        return self.spec.make_api(self.instance_url, creds, self.vendor.http)

    def _ready(self) -> VendorApi:
        if self._api is None:
            api = self._make()
            self._cached = False
            if isinstance(api, TokenAuth):
                cached = self.vendor.tokens.get(self.key)
                if cached is not None:
                    api.use_token(cached)
                    self._cached = True
                elif api.spends_refresh_token:
                    api = self._refresh()
                else:
                    token = api.fetch_token()
                    self.vendor.tokens.put(self.key, token)
                    api.use_token(token)
            self._api = api
        return self._api

    def _refresh(self) -> VendorApi:
        """Refresh with the token stored now, under the row lock (another process may have
        rotated it meanwhile), and commit what the vendor rotated before any other call."""
        with self.database.transaction() as session:
            row = self._locked(session)
            self._load(row)
            api = self._make()
            if not isinstance(api, TokenAuth):
                return api
            token = self.vendor.tokens.get(self.key)  # a thread of ours refreshed while we waited
            if token is None:
                token = api.fetch_token()
                self._credentials = api.credentials()
                row.credentials_encrypted = self.vendor.vault.encrypt_json(self._credentials)
                self.vendor.tokens.put(self.key, token)
            api.use_token(token)
        return api

    def _locked(self, session: Session) -> Integration:
        row = session.scalar(
            select(Integration)
            .where(Integration.tenant == self.tenant, Integration.id == self.integration_id)
            .with_for_update()
        )
        if row is None:
            raise NotFound("No such integration.")
        return row
