"""NinjaOne Public API v2: OAuth tokens, organizations, webhook registration, active alerts
(for reconciliation) and alert reset."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import (
    NOT_IN_FORM,
    AccessToken,
    AlertRef,
    ExternalOrg,
    VendorError,
    WebhookContext,
    plain_secrets,
)
from alertdesk.providers.http import call, json_of, organizations
from alertdesk.providers.ninjaone.alerts import alert_events

LABEL = "NinjaOne"
SCOPES = "monitoring management"
OAUTH_SCOPES = "monitoring management offline_access"
WEBHOOK_HEADER = "X-Alertdesk-Secret"
WEBHOOK_ACTIVITIES = {"CONDITION": ["TRIGGERED", "RESET", "ACKNOWLEDGED"]}
WEBHOOK_EXPAND = ["device", "organization", "location"]
PAGE = 500


class NinjaOneCredentials(BaseModel):
    """An API client app: client credentials, or a refresh token from the OAuth flow."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=200, title="Client ID")
    client_secret: SecretStr = Field(min_length=1, title="Client secret")
    # set by the OAuth flow, never typed in
    refresh_token: SecretStr | None = Field(default=None, json_schema_extra=NOT_IN_FORM)


def _seconds(value: object) -> float | None:
    """expires_in as a number of seconds, if the vendor sent a usable one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


class NinjaOneApi:
    def __init__(self, instance_url: str, creds: NinjaOneCredentials, http: httpx.Client) -> None:
        self.base = instance_url.rstrip("/")
        self.creds = creds
        self.http = http
        self._access_token: str | None = None

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        form |= {
            "client_id": self.creds.client_id,
            "client_secret": self.creds.client_secret.get_secret_value(),
        }
        response = call(self.http, LABEL, "POST", f"{self.base}/ws/oauth/token", data=form)
        body = json_of(response, LABEL)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise VendorError("NinjaOne sent no access token")
        return body

    @property
    def spends_refresh_token(self) -> bool:
        return self.creds.refresh_token is not None

    def fetch_token(self) -> AccessToken:
        """A new access token; a refresh-token grant may rotate the refresh token (kept in
        `creds`: the old one stops working, so the caller stores `credentials()` at once)."""
        if self.creds.refresh_token is not None:
            refresh = self.creds.refresh_token.get_secret_value()
            body = self._token_request({"grant_type": "refresh_token", "refresh_token": refresh})
            if body.get("refresh_token"):
                self.creds = self.creds.model_copy(
                    update={"refresh_token": SecretStr(body["refresh_token"])}
                )
        else:
            body = self._token_request({"grant_type": "client_credentials", "scope": SCOPES})
        return AccessToken(str(body["access_token"]), _seconds(body.get("expires_in")))

    def use_token(self, token: AccessToken) -> None:
        self._access_token = token.value

    def _token(self) -> str:
        if self._access_token is None:
            self._access_token = self.fetch_token().value
        return self._access_token

    def _api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token()}"}
        return call(self.http, LABEL, method, f"{self.base}/v2{path}", headers=headers, **kwargs)

    def validate(self) -> None:
        self._api("GET", "/organizations", params={"pageSize": 1})

    def list_organizations(self) -> Sequence[ExternalOrg]:
        found: list[ExternalOrg] = []
        after: int | None = None
        while True:
            params: dict[str, Any] = {"pageSize": PAGE} | ({"after": after} if after else {})
            page = organizations(
                json_of(self._api("GET", "/organizations", params=params), LABEL), LABEL
            )
            found += page
            if len(page) < PAGE or not page[-1].external_id.isdigit():
                return found
            after = int(page[-1].external_id)

    def register_webhook(self, url: str, secret: str) -> None:
        body = {
            "url": url,
            "activities": WEBHOOK_ACTIVITIES,
            "expand": WEBHOOK_EXPAND,
            "headers": [{"name": WEBHOOK_HEADER, "value": secret}],
        }
        self._api("PUT", "/webhook", json=body)

    def remove_webhook(self) -> None:
        self._api("DELETE", "/webhook")

    def reset_alert(self, alert: AlertRef) -> None:
        """POST /v2/alert/{uid}/reset. A webhook without a seriesUid gave us no uid: it is
        found among the device's active alerts by the condition (sourceConfigUid); none
        there means the vendor has already cleared it."""
        uid = alert.external_alert_uid
        if uid is None and alert.external_device_id and alert.condition:
            uid = self._active_uid(alert.external_device_id, alert.condition)
            if uid is None:
                return
        self._api("POST", f"/alert/{uid or alert.external_alert_id}/reset", json={})

    def _active_uid(self, device_id: str, condition: str) -> str | None:
        items = json_of(self._api("GET", f"/device/{device_id}/alerts"), LABEL)
        if not isinstance(items, list):
            raise VendorError(f"{LABEL} answered something other than a list of alerts")
        for item in items:
            if isinstance(item, dict) and str(item.get("sourceConfigUid")) == condition:
                uid = item.get("uid")
                return str(uid) if uid else None
        return None

    def fetch_active_alerts(self, ctx: WebhookContext) -> Sequence[AlertEvent]:
        """The active alerts (GET /v2/alerts), their devices' organizations from /v2/devices."""
        items = json_of(self._api("GET", "/alerts"), LABEL)
        if not isinstance(items, list):
            raise VendorError(f"{LABEL} answered something other than a list of alerts")
        return alert_events(items, self._devices(), ctx)

    def _devices(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        after: int | None = None
        while True:
            params: dict[str, Any] = {"pageSize": PAGE} | ({"after": after} if after else {})
            page = json_of(self._api("GET", "/devices", params=params), LABEL)
            if not isinstance(page, list):
                raise VendorError(f"{LABEL} answered something other than a list of devices")
            ids = [d.get("id") for d in page if isinstance(d, dict)]
            found |= {str(d["id"]): d for d in page if isinstance(d, dict) and "id" in d}
            if len(page) < PAGE or not ids or not isinstance(ids[-1], int):
                return found
            after = ids[-1]

    def credentials(self) -> dict[str, Any]:
        return plain_secrets(self.creds)

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.creds.client_id,
            "redirect_uri": redirect_uri,
            "scope": OAUTH_SCOPES,
            "state": state,
        }
        return f"{self.base}/ws/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, redirect_uri: str) -> None:
        """Authorization code → tokens; keeps the refresh token for later calls."""
        body = self._token_request(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )
        if not body.get("refresh_token"):
            raise VendorError("NinjaOne sent no refresh token (is offline_access allowed?)")
        self.creds = self.creds.model_copy(
            update={"refresh_token": SecretStr(body["refresh_token"])}
        )
        self._access_token = str(body["access_token"])
