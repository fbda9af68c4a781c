"""TacticalRMM REST API (X-API-KEY): validate, list clients, list unresolved alerts (for
reconciliation), resolve an alert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import AlertRef, ExternalOrg, VendorError, WebhookContext
from alertdesk.providers.http import call, json_of, organizations
from alertdesk.providers.tacticalrmm.alerts import alert_events

LABEL = "TacticalRMM"


class TacticalCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr = Field(min_length=1, title="API key")


class TacticalApi:
    def __init__(self, instance_url: str, creds: TacticalCredentials, http: httpx.Client) -> None:
        self.base = instance_url.rstrip("/")
        self.creds = creds
        self.http = http

    def _api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-API-KEY": self.creds.api_key.get_secret_value()}
        return call(self.http, LABEL, method, f"{self.base}{path}", headers=headers, **kwargs)

    def validate(self) -> None:
        self._api("GET", "/agents/", params={"detail": "false"})

    def list_organizations(self) -> Sequence[ExternalOrg]:
        return organizations(json_of(self._api("GET", "/clients/"), LABEL), LABEL)

    def fetch_active_alerts(self, ctx: WebhookContext) -> Sequence[AlertEvent]:
        """Unresolved, unsnoozed alerts (PATCH /alerts/ filters); client names → ids."""
        filters = {"resolvedFilter": False, "snoozedFilter": False}
        items = json_of(self._api("PATCH", "/alerts/", json=filters), LABEL)
        if isinstance(items, dict):  # the {"alerts_count", "alerts"} shape of a `top` query
            items = items.get("alerts")
        if not isinstance(items, list):
            raise VendorError(f"{LABEL} answered something other than a list of alerts")
        client_ids = {org.name: org.external_id for org in self.list_organizations()}
        return alert_events(items, client_ids, ctx)

    def reset_alert(self, alert: AlertRef) -> None:
        if not alert.external_alert_id.isdigit():
            raise VendorError("this alert came without a TacticalRMM alert id; resolve it there")
        self._api("PUT", f"/alerts/{alert.external_alert_id}/", json={"type": "resolve"})

    def credentials(self) -> dict[str, Any]:
        return {"api_key": self.creds.api_key.get_secret_value()}
