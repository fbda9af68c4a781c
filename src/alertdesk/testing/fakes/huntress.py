"""A fake Huntress API at the HTTP layer (httpx.MockTransport, or a local server via
`alertdesk.testing.fakes.http_server`), fed with the verbatim fixtures plus generated records;
it checks Basic auth, pages with page_token, records requests and can be told to fail."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import httpx

from alertdesk.testing.fakes.base import FakeVendor, fixture

HUNTRESS_URL = "https://huntress.test"


def huntress_fixture(name: str) -> Any:
    return fixture("huntress", name)


@dataclass
class FakeHuntress(FakeVendor):
    api_key: str = "hk-key"
    api_secret: str = "hk-secret"
    account: dict[str, Any] = field(
        default_factory=lambda: huntress_fixture("account.json")["account"]
    )
    organizations: list[dict[str, Any]] = field(
        default_factory=lambda: huntress_fixture("organizations_page.json")["organizations"]
    )
    agents: list[dict[str, Any]] = field(
        default_factory=lambda: [huntress_fixture("agent.json")["agent"]]
    )
    incidents: list[dict[str, Any]] = field(
        default_factory=lambda: huntress_fixture("incident_reports_page.json")["incident_reports"]
    )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        failed = self._failure(request)
        if failed is not None:
            return failed
        expected = base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return httpx.Response(401, json={"error": "Invalid credentials"})
        path = request.url.path.removeprefix("/v1")
        if path == "/account":
            return httpx.Response(200, json={"account": self.account})
        for collection, records in (
            ("organizations", self.organizations),
            ("agents", self.agents),
            ("incident_reports", self.incidents),
        ):
            if path == f"/{collection}":
                return self._page(request, collection, records)
            if path.startswith(f"/{collection}/"):
                wanted = path.split("/")[2]
                found = next((r for r in records if str(r.get("id")) == wanted), None)
                if found is None:
                    return httpx.Response(404, json={"error": "Not found"})
                return httpx.Response(200, json={collection.removesuffix("s"): found})
        return httpx.Response(404, json={"error": "Not found"})

    def _page(
        self, request: httpx.Request, key: str, records: list[dict[str, Any]]
    ) -> httpx.Response:
        limit = int(request.url.params.get("limit", 10))
        if request.url.params.get("sort_field") == "updated_at":
            newest_first = request.url.params.get("sort_direction", "desc") == "desc"
            records = sorted(records, key=lambda r: str(r.get("updated_at")), reverse=newest_first)
        start = int(request.url.params.get("page_token") or 0)
        page = records[start : start + limit]
        more = start + limit < len(records)
        pagination = {"next_page_token": str(start + limit)} if more else {}
        return httpx.Response(200, json={key: page, "pagination": pagination})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))
