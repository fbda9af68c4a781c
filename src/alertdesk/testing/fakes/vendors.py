"""Fake NinjaOne and TacticalRMM APIs at the HTTP layer (httpx.MockTransport, or a local server
via `alertdesk.testing.fakes.http_server`), fed with the verbatim fixtures; they record what
they were asked and can be told to fail. `FakeVendors` routes the three fake hosts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

from alertdesk.testing.fakes.base import FakeVendor, fixture
from alertdesk.testing.fakes.huntress import FakeHuntress

NINJA_URL = "https://ninja.test"
TACTICAL_URL = "https://tactical.test"


@dataclass
class Rotation:
    """Refresh-token rotation as NinjaOne does it: using a live refresh token revokes it and
    issues the next one (R1 → R2 → …); a revoked one is refused with invalid_grant."""

    live: set[str] = field(default_factory=lambda: {"R1"})
    issued: int = 1
    delay: float = 0.0  # seconds each refresh takes, so that two can overlap
    lock: threading.Lock = field(default_factory=threading.Lock)

    def use(self, token: str) -> str | None:
        time.sleep(self.delay)
        with self.lock:
            if token not in self.live:
                return None
            self.live.discard(token)
            self.issued += 1
            self.live.add(f"R{self.issued}")
            return f"R{self.issued}"


@dataclass
class FakeNinjaOne(FakeVendor):
    client_id: str = "ninja-client"
    client_secret: str = "ninja-secret"
    organizations: list[dict[str, Any]] = field(
        default_factory=lambda: fixture("ninjaone", "organizations_list.json")
    )
    webhook: dict[str, Any] | None = None
    refresh_tokens: list[str] = field(default_factory=list)
    resets: list[str] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)  # what GET /v2/alerts lists
    alerts_gate: threading.Event | None = None  # GET /v2/alerts waits for it (a slow vendor)
    while_listing: Callable[[], object] | None = None  # runs while GET /v2/alerts is answered
    devices: list[dict[str, Any]] = field(
        default_factory=lambda: fixture("ninjaone", "devices_list.json")
    )
    codes: dict[str, str] = field(default_factory=lambda: {"good-code": "refresh-1"})
    rotation: Rotation | None = None  # None: any refresh token works and "refresh-rotated" comes

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        failed = self._failure(request)
        if failed is not None:
            return failed
        path = request.url.path
        if path == "/ws/oauth/token":
            return self._token(parse_qs(request.content.decode()))
        if request.headers.get("authorization") != "Bearer access-token":
            return httpx.Response(401, text="unauthorized")
        return self._api(request, path)

    def _token(self, form: dict[str, list[str]]) -> httpx.Response:
        first = {k: v[0] for k, v in form.items()}
        if (first.get("client_id"), first.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return httpx.Response(401, json={"error": "invalid_client"})
        body = fixture("ninjaone", "oauth_token_response.json") | {"access_token": "access-token"}
        grant = first.get("grant_type")
        if grant == "authorization_code":
            if first.get("code") not in self.codes:
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(200, json=body | {"refresh_token": self.codes[first["code"]]})
        if grant == "refresh_token":
            token = first.get("refresh_token", "")
            self.refresh_tokens.append(token)
            rotated = "refresh-rotated" if self.rotation is None else self.rotation.use(token)
            if rotated is None:
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(200, json=body | {"refresh_token": rotated})
        return httpx.Response(200, json={k: v for k, v in body.items() if k != "refresh_token"})

    def _api(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == "/v2/organizations":
            size = int(request.url.params.get("pageSize", 500))
            after = int(request.url.params.get("after", 0))
            # records without an id (a broken vendor answer) are sent as they are
            page = [o for o in self.organizations if int(o.get("id", after + 1)) > after][:size]
            return httpx.Response(200, json=page)
        if path == "/v2/webhook" and request.method == "PUT":
            self.webhook = json.loads(request.content)
            return httpx.Response(204)
        if path == "/v2/webhook" and request.method == "DELETE":
            self.webhook = None
            return httpx.Response(204)
        if path.startswith("/v2/alert/") and path.endswith("/reset"):
            uid = path.split("/")[3]
            self.resets.append(uid)
            self.alerts = [a for a in self.alerts if a.get("uid") != uid]
            return httpx.Response(204)
        if path.startswith("/v2/device/") and path.endswith("/alerts"):
            device = path.split("/")[3]
            return httpx.Response(
                200, json=[a for a in self.alerts if str(a.get("deviceId")) == device]
            )
        if path == "/v2/alerts" and request.method == "GET":
            if self.alerts_gate is not None:
                self.alerts_gate.wait(timeout=10)
            answer = httpx.Response(200, json=self.alerts)  # the list as it was asked for
            if self.while_listing is not None:
                self.while_listing()
            return answer
        if path == "/v2/devices" and request.method == "GET":
            after = int(request.url.params.get("after", 0))
            return httpx.Response(200, json=[d for d in self.devices if int(d["id"]) > after])
        return httpx.Response(404, text="not found")


@dataclass
class FakeTactical(FakeVendor):
    api_key: str = "tactical-key"
    clients: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": 3, "name": "Acme Dental", "sites": []},
            {"id": 4, "name": "Globex Corp", "sites": []},
        ]
    )
    resolved: list[str] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)  # what PATCH /alerts/ knows

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        failed = self._failure(request)
        if failed is not None:
            return failed
        if request.headers.get("x-api-key") != self.api_key:
            return httpx.Response(401, json={"detail": "Invalid API key"})
        path = request.url.path
        if path == "/agents/":
            agent = fixture("tacticalrmm", "api_requests.json")[
                "GET /agents/?detail=false item shape"
            ]
            return httpx.Response(200, json=[agent])
        if path == "/clients/":
            return httpx.Response(200, json=self.clients)
        if path.startswith("/alerts/") and request.method == "PUT":
            if json.loads(request.content) != {"type": "resolve"}:
                return httpx.Response(400, json={"detail": "bad type"})
            self.resolved.append(path.split("/")[2])
            for alert in self.alerts:
                if str(alert.get("id")) == path.split("/")[2]:
                    alert["resolved"] = True
            return httpx.Response(200, json="ok")
        if path == "/alerts/" and request.method == "PATCH":
            filters = json.loads(request.content or b"{}")
            unresolved = filters.get("resolvedFilter") is False
            return httpx.Response(
                200, json=[a for a in self.alerts if not (unresolved and a.get("resolved"))]
            )
        return httpx.Response(404, text="not found")


@dataclass
class FakeVendors:
    ninjaone: FakeNinjaOne = field(default_factory=FakeNinjaOne)
    tactical: FakeTactical = field(default_factory=FakeTactical)
    huntress: FakeHuntress = field(default_factory=FakeHuntress)

    def handler(self) -> Callable[[httpx.Request], httpx.Response]:
        def route(request: httpx.Request) -> httpx.Response:
            if request.url.host == "ninja.test":
                return self.ninjaone(request)
            if request.url.host == "tactical.test":
                return self.tactical(request)
            if request.url.host == "huntress.test":
                return self.huntress(request)
            if request.url.host == "127.0.0.1":  # a real local server a test started
                with httpx.Client() as real:
                    answer = real.send(request)
                    answer.read()
                    kind = {"content-type": answer.headers.get("content-type", "text/plain")}
                    return httpx.Response(answer.status_code, headers=kind, content=answer.content)
            raise httpx.ConnectError(f"no such host: {request.url.host}", request=request)

        return route

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler()))
