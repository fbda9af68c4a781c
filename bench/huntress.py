"""A 7-day Huntress backfill over a rate-limited fake API: JSON on stdout, a table on stderr.

    .venv/bin/python bench/huntress.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
        [--incidents 5000] [--agents 1000] [--organizations 200] [--days 7]

Creates a fresh database on the server, runs `alertdesk init` on it, then — in this process,
through the real web app (`create_app` over a `Runtime`, called with FastAPI's TestClient) and
the real vendor HTTP client — connects a Huntress integration to a fake Huntress API served on
127.0.0.1 (`alertdesk.testing.fakes`: N incident reports spread over the last `--days`, on
`--agents` agents in `--organizations` organizations, three quarters of them named like a
client), sets its routing with `backfill_days`, and runs one poll (`POST …/poll`): the first
cycle backfills every incident into tickets. The database is dropped at the end.

The fake enforces Huntress' limit, 60 requests a minute in a sliding window (a 429 with
Retry-After beyond it), on a virtual clock shared with the client's pacer
(`providers/huntress/api.py`, one request per 1.1 s per account): waiting moves the virtual
clock instead of sleeping, so the run takes only its real work while the waits the limit
imposes are counted. `implied_wall_s` = max(requests at 60 a minute, real time + waits).

For comparison, the request pattern of the original design (seed plan: the same 500-row
incident pages, then one `GET /v1/agents/{id}` per incident) is replayed with the same client
against the same fake (requests only, nothing processed). Target: at most 40 requests.
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from alertdesk.app import create_app
from alertdesk.providers.huntress.api import MIN_INTERVAL, HuntressApi, HuntressCredentials
from alertdesk.providers.huntress.api import pacer_for as huntress_pacer
from alertdesk.runtime import Runtime
from alertdesk.settings import Settings
from alertdesk.testing.fakes import FakeHuntress, huntress_fixture, serving
from scratch import scratch_database

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

LIMIT, WINDOW = 60, 60.0  # Huntress: 60 requests a minute per account, sliding window
TARGET_REQUESTS = 40
SECRET_KEY = "bench-" + "k" * 48
API_KEY, API_SECRET = "hk-key", "hk-secret"


@dataclass
class VirtualClock:
    """Real monotonic time plus every wait that was asked for but not slept."""

    waited: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() + self.waited

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.waited += max(0.0, seconds)


@dataclass
class RateLimited:
    """Huntress' limit in front of a fake: at most LIMIT requests in any WINDOW seconds of the
    virtual clock; beyond it 429 with Retry-After (whole seconds until a slot frees)."""

    fake: FakeHuntress
    clock: VirtualClock
    served: list[float] = field(default_factory=list)  # virtual times of accepted requests
    refused: int = 0
    by_path: collections.Counter[str] = field(default_factory=collections.Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _recent: collections.deque[float] = field(default_factory=collections.deque)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            now = self.clock.now()
            while self._recent and self._recent[0] <= now - WINDOW:
                self._recent.popleft()
            if len(self._recent) >= LIMIT:
                self.refused += 1
                wait = math.ceil(self._recent[0] + WINDOW - now)
                return httpx.Response(429, headers={"Retry-After": str(max(1, wait))},
                                      json={"error": "Too many requests"})  # fmt: skip
            self._recent.append(now)
            self.served.append(now)
            self.by_path[_route(request.url.path)] += 1
        return self.fake(request)


def _route(path: str) -> str:
    parts = path.strip("/").split("/")  # v1/agents/123 → /v1/agents/{id}
    return "/" + "/".join(parts[:2]) + ("/{id}" if len(parts) > 2 else "")


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def generated(args: argparse.Namespace, now: datetime) -> FakeHuntress:
    """Organizations, agents and incident reports in the fixtures' shapes, varied."""
    org_shape = huntress_fixture("organizations_page.json")["organizations"][0]
    agent_shape = huntress_fixture("agent.json")["agent"]
    incident_shape = huntress_fixture("incident_reports_page.json")["incident_reports"][0]
    orgs = [copy.deepcopy(org_shape) | {"id": 80000 + n, "name": f"Client {n:04d}",
                                        "key": f"client{n:04d}"}
            for n in range(args.organizations)]  # fmt: skip
    agents = [copy.deepcopy(agent_shape) | {"id": 4000000 + n, "hostname": f"HOST-{n:05d}",
                                            "organization_id": orgs[n % len(orgs)]["id"]}
              for n in range(args.agents)]  # fmt: skip
    span = timedelta(days=args.days) - timedelta(minutes=10)  # all inside the backfill
    severities = ("low", "low", "high", "critical")
    incidents = []
    for n in range(args.incidents):
        agent = agents[(n * 7919) % len(agents)]  # every agent, spread
        updated = now - span * (n + 1) / args.incidents
        closed = n % 5 == 4
        incidents.append(copy.deepcopy(incident_shape) | {
            "id": 600000 + n, "agent_id": agent["id"], "organization_id": agent["organization_id"],
            "severity": severities[n % 4], "status": "closed" if closed else "sent",
            "subject": f"{severities[n % 4].upper()} - Incident on {agent['hostname']}",
            "sent_at": _stamp(updated - timedelta(minutes=30)),
            "closed_at": _stamp(updated) if closed else None,
            "status_updated_at": _stamp(updated), "updated_at": _stamp(updated),
        })  # fmt: skip
    account = huntress_fixture("account.json")["account"]
    return FakeHuntress(api_key=API_KEY, api_secret=API_SECRET, account=account,
                        organizations=orgs, agents=agents, incidents=incidents)  # fmt: skip


def init_workspace(url: str, data_dir: Path) -> str:
    """`alertdesk init` on the new database; its admin token (the last line it prints)."""
    env = {**os.environ, "ALERTDESK_DATABASE_URL": url, "ALERTDESK_DATA_DIR": str(data_dir),
           "ALERTDESK_SECRET_KEY": SECRET_KEY}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "alertdesk", "init", "--tenant", "Bench MSP",
         "--admin-email", "admin@bench.example", "--admin-password", "a long bench password"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def backfill(
    client: TestClient, token: str, fake_url: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Clients, connect, routing, one poll; the poll's answer and its real duration."""
    headers = {"Authorization": f"Bearer {token}"}

    def api(method: str, path: str, body: Any = None) -> Any:
        answer = client.request(method, f"/api/v1{path}", json=body, headers=headers)
        if not answer.is_success:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json()

    for n in range(args.organizations * 3 // 4):  # the rest land on the fallback client
        api("POST", "/clients", {"name": f"Client {n:04d}"})
    fallback = api("POST", "/clients", {"name": "Unmapped security"})
    board = next(b for b in api("GET", "/boards") if b["is_default"])
    closed = next(s for s in board["statuses"] if s["is_closed"])
    integration = api("POST", "/integrations", {
        "provider": "huntress", "instance_url": fake_url,
        "credentials": {"api_key": API_KEY, "api_secret": API_SECRET},
    })  # fmt: skip
    api("PATCH", f"/integrations/{integration['id']}", {"settings": {
        "board_id": board["id"], "fallback_client_id": fallback["id"],
        "fallback_board_id": board["id"], "auto_close_tickets": True,
        "closed_status_id": closed["id"], "backfill_days": args.days,
    }})  # fmt: skip
    started = time.perf_counter()
    answer = api("POST", f"/integrations/{integration['id']}/poll")
    return {"poll": answer, "poll_real_s": round(time.perf_counter() - started, 1)}


def original_design(fake: FakeHuntress, clock: VirtualClock) -> dict[str, Any]:
    """The seed plan's requests for the same backfill: pages of 500, one agent GET each."""
    limiter = RateLimited(fake, clock)
    with serving(limiter) as url, httpx.Client() as http:
        pacer = huntress_pacer(url, API_KEY)
        pacer.clock, pacer.sleep = clock.now, clock.sleep
        api = HuntressApi(url, HuntressCredentials(api_key=API_KEY, api_secret=API_SECRET), http)
        waited_before, started = clock.waited, time.perf_counter()
        token: str | None = None
        incidents: list[dict[str, Any]] = []
        while True:
            page = api.incident_reports_page(token)
            incidents += page.items
            if page.next_token is None:
                break
            token = page.next_token
        for incident in incidents:
            api.agent(str(incident["agent_id"]))
        real = time.perf_counter() - started
    waited = clock.waited - waited_before
    return {"requests": api.requests, "refused_429": limiter.refused,
            "by_path": dict(limiter.by_path), "real_s": round(real, 1),
            "waited_s": round(waited, 1),
            "implied_wall_min": round(max(api.requests * WINDOW / LIMIT, real + waited) / 60, 1),
            "at_60_per_min_min": round(api.requests / LIMIT, 1)}  # fmt: skip


def limiter_check(clock: VirtualClock) -> dict[str, int]:
    """The fake's limit holds: a burst of LIMIT + 1 unpaced requests has its last refused."""
    limiter = RateLimited(FakeHuntress(api_key=API_KEY, api_secret=API_SECRET), clock)
    with serving(limiter) as url, httpx.Client(auth=(API_KEY, API_SECRET)) as http:
        codes = [http.get(f"{url}/v1/account").status_code for _ in range(LIMIT + 1)]
    return {"burst": len(codes), "accepted": codes.count(200), "refused_429": codes.count(429)}


def run(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    now = datetime.now(UTC)
    clock = VirtualClock()
    fake = generated(args, now)
    limiter = RateLimited(fake, clock)
    token = init_workspace(url, folder)
    with warnings.catch_warnings():  # "Using `httpx` with `starlette.testclient`": harmless
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    settings = Settings(database_url=url, data_dir=folder, secret_key=SECRET_KEY)
    runtime = Runtime.from_settings(settings)
    try:
        with serving(limiter) as fake_url, TestClient(create_app(runtime)) as client:
            pacer = huntress_pacer(fake_url, API_KEY)  # the pacer every client of it shares
            pacer.clock, pacer.sleep = clock.now, clock.sleep
            started = time.perf_counter()
            found = backfill(client, token, fake_url, args)
            real = time.perf_counter() - started
    finally:
        runtime.close()
    requests = len(limiter.served)
    waited = clock.waited
    span = (limiter.served[-1] - limiter.served[0]) if requests > 1 else 0.0
    per_minute = max(
        sum(1 for t in limiter.served if start <= t < start + WINDOW) for start in limiter.served
    )
    implied = max(requests * WINDOW / LIMIT, real + waited)
    return {
        "incidents": args.incidents, "agents": args.agents,
        "organizations": args.organizations, "backfill_days": args.days,
        "requests": requests, "api_requests_reported": found["poll"].get("api_requests"),
        "requests_by_path": dict(limiter.by_path), "refused_429": limiter.refused,
        "busiest_minute_requests": per_minute,
        "rate_limit_waits_s": round(waited, 1), "requests_span_virtual_s": round(span, 1),
        "real_s": round(real, 1), "poll_real_s": found["poll_real_s"],
        "implied_wall_s": round(implied, 1),
        "target_requests": TARGET_REQUESTS, "within_target": requests <= TARGET_REQUESTS,
        "poll": found["poll"],
        "limiter_check": limiter_check(VirtualClock()),
        "original_design": original_design(fake, VirtualClock()),
        "method": (
            f"requests counted by the fake (every request of connect, routing and the poll; "
            f"{LIMIT} per {WINDOW:.0f} s sliding window enforced on a virtual clock). The "
            f"client's pacer ({MIN_INTERVAL} s between requests) and any Retry-After wait "
            "advance that clock instead of sleeping; rate_limit_waits_s is their sum. "
            "implied_wall_s = max(requests at 60 a minute, real_s + rate_limit_waits_s)"
        ),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--days", type=int, default=7, help="backfill_days (1-30)")
    args = parser.parse_args()

    with scratch_database(args.server) as (name, url), tempfile.TemporaryDirectory() as folder:
        results = {"database": name, **run(args, url, Path(folder))}
    print(json.dumps(results, indent=2))
    table(results)
    return 0 if results["poll"].get("errors") == 0 else 1


def table(r: dict[str, Any]) -> None:
    o = r["original_design"]
    rows: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("requests", lambda d: d["requests"]),
        ("429 refused", lambda d: d["refused_429"]),
        ("implied wall", lambda d: f"{d['implied_wall_s']} s" if "implied_wall_s" in d
         else f"{d['implied_wall_min']} min"),
    ]  # fmt: skip
    print(f"{'':<14}{'this poller':>14}{'original design':>18}", file=sys.stderr)
    for label, get in rows:
        print(f"{label:<14}{get(r)!s:>14}{get(o)!s:>18}", file=sys.stderr)
    p = r["poll"]
    print(f"poll: fetched {p.get('fetched')}, created {p.get('created')}, recorded "
          f"{p.get('recorded')}, errors {p.get('errors')}; real {r['real_s']} s "
          f"(poll {r['poll_real_s']} s); target ≤ {r['target_requests']} requests: "
          f"{'ok' if r['within_target'] else 'over'}", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
