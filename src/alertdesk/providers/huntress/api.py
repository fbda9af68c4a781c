"""Huntress public API v1: Basic auth with an API key and secret, at most one request per
1.1 s per account (its budget is 60 per minute, sliding), a 429 waited out as the vendor
says, `page_token` pagination, and the real envelopes ({"account": …}, {"agent": …})."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from alertdesk.providers.base import ExternalOrg, VendorError
from alertdesk.providers.http import call, json_of

LABEL = "Huntress"
DEFAULT_URL = "https://api.huntress.io"
MIN_INTERVAL = 1.1  # seconds between requests of one account: ~54 a minute, under its 60
RATE_LIMIT_RETRIES = 2
RATE_LIMIT_BACKOFF = 10.0  # seconds, when a 429 does not say how long
PAGE = 500


class HuntressCredentials(BaseModel):
    """An account API key pair, from <subdomain>.huntress.io/account/api_credentials."""

    model_config = ConfigDict(extra="forbid")

    api_key: str = Field(min_length=1, max_length=200, title="API key")
    api_secret: SecretStr = Field(min_length=1, title="API secret")


@dataclass
class Pacer:
    """Spaces the requests of one account; shared by every client of it in this process."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = MIN_INTERVAL
    last: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_turn(self) -> None:
        with self.lock:
            if self.last is not None:
                wait = self.last + self.interval - self.clock()
                if wait > 0:
                    self.sleep(wait)
            self.last = self.clock()


_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def pacer_for(base_url: str, api_key: str) -> Pacer:
    account = hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()
    with _PACERS_LOCK:
        return _PACERS.setdefault(account, Pacer())


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


class HuntressApi:
    def __init__(
        self,
        instance_url: str,
        creds: HuntressCredentials,
        http: httpx.Client,
        pacer: Pacer | None = None,
    ) -> None:
        self.base = (instance_url or DEFAULT_URL).rstrip("/")
        self.creds = creds
        self.http = http
        self.pacer = pacer or pacer_for(self.base, creds.api_key)
        self.requests = 0  # made by this client: what a poll reports as api_requests

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        auth = (self.creds.api_key, self.creds.api_secret.get_secret_value())
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            self.pacer.wait_turn()
            self.requests += 1
            try:
                response = call(
                    self.http, LABEL, "GET", f"{self.base}/v1{path}", params=params, auth=auth,
                    headers={"Accept": "application/json"},
                )  # fmt: skip
            except VendorError as exc:
                if exc.status != 429 or attempt == RATE_LIMIT_RETRIES:
                    raise
                self.pacer.sleep(exc.retry_after or RATE_LIMIT_BACKOFF)
                continue
            return json_of(response, LABEL)
        raise AssertionError("unreachable")  # pragma: no cover

    def _one(self, path: str, key: str) -> dict[str, Any] | None:
        """A single record from its envelope; None when Huntress has no such record (404)."""
        try:
            body = self._get(path)
        except VendorError as exc:
            if exc.status == 404:
                return None
            raise
        record = body.get(key) if isinstance(body, dict) else None
        if not isinstance(record, dict):
            raise VendorError(f"{LABEL} answered {path} without its {key!r} record")
        return record

    def _page(self, path: str, key: str, token: str | None, **params: Any) -> Page:
        query = {"limit": PAGE, **params} | ({"page_token": token} if token else {})
        body = self._get(path, query)
        items = body.get(key) if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise VendorError(f"{LABEL} answered {path} without its {key!r} list")
        pagination = body.get("pagination")
        next_token = pagination.get("next_page_token") if isinstance(pagination, dict) else None
        return Page(
            [i for i in items if isinstance(i, dict)],
            str(next_token) if next_token else None,
        )

    def account(self) -> dict[str, Any]:
        found = self._one("/account", "account")
        if found is None:
            raise VendorError(f"{LABEL} has no account for these credentials", 404)
        return found

    def validate(self) -> None:
        self.account()

    def organizations_page(self, token: str | None = None) -> Page:
        return self._page("/organizations", "organizations", token)

    def organizations(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.organizations_page(token)
            found += page.items
            if page.next_token is None or not page.items:
                return found
            token = page.next_token

    def list_organizations(self) -> Sequence[ExternalOrg]:
        return [
            ExternalOrg(str(o["id"]), str(o.get("name") or o["id"]))
            for o in self.organizations()
            if o.get("id") is not None
        ]

    def organization(self, organization_id: str) -> dict[str, Any] | None:
        return self._one(f"/organizations/{organization_id}", "organization")

    def agent(self, agent_id: str) -> dict[str, Any] | None:
        return self._one(f"/agents/{agent_id}", "agent")

    def agents_page(self, token: str | None = None) -> Page:
        return self._page("/agents", "agents", token)

    def incident_reports_page(self, token: str | None = None) -> Page:
        """Newest change first: the cursor walk stops once it passes what it has seen."""
        return self._page(
            "/incident_reports", "incident_reports", token,
            sort_field="updated_at", sort_direction="desc",
        )  # fmt: skip

    def credentials(self) -> dict[str, Any]:
        return {
            "api_key": self.creds.api_key,
            "api_secret": self.creds.api_secret.get_secret_value(),
        }
