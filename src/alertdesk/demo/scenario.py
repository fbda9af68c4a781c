"""The demo's story, told through the real entry points: the REST API as an admin would use it,
webhooks as the vendors send them, the job worker and the Huntress poller against the fakes.
Each step checks what it expects and says what happened; a surprise stops the demo."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from alertdesk.demo.vendors import DemoVendors
from alertdesk.testing.fakes import fixture

Json = dict[str, Any]
CLIENTS = ("Acme Dental", "Globex Corp", "KMSP Radio Station", "Herrera Technologies",
           "Unassigned security")  # fmt: skip
TACTICAL_AGENT = "kBgMqvYwUeVQhMJrmxHsdbuxIOZpLfDUtXEnCkwa"  # FRONTDESK-01 in the captures
GLOBEX_AGENT = "pQzGlobexSrv01AgentIdForTheDemo0000000000"
NINJA_DEVICE = "7"  # ccesxi03.cc.local in the captures


class DemoFailed(Exception):
    """Something the story expects did not happen."""


@dataclass
class Api:
    """The REST API as the tenant's admin (bearer token), and the webhook endpoints."""

    url: str
    token: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=60))

    def call(
        self, method: str, path: str, body: Json | None = None, *, allow: tuple[int, ...] = ()
    ) -> Any:
        """The answer's JSON; None for a status in `allow`; DemoFailed for any other error."""
        headers = {"Authorization": f"Bearer {self.token}"}
        answer = self.http.request(method, f"{self.url}/api/v1{path}", json=body, headers=headers)
        if answer.status_code in allow:
            return None
        if answer.status_code >= 300:
            raise DemoFailed(f"{method} {path} answered {answer.status_code}: {answer.text[:300]}")
        return answer.json() if answer.content else None

    def deliver(self, integration: Json, payload: Json) -> Json:
        """A webhook as the vendor sends it (the secret in the header)."""
        answer = self.http.post(
            f"{self.url}/webhooks/{integration['provider']}/{integration['id']}",
            content=json.dumps(payload).encode(),
            headers={"X-Alertdesk-Secret": integration["webhook_secret"],
                     "Content-Type": "application/json"},
        )  # fmt: skip
        if answer.status_code != 200:
            raise DemoFailed(f"webhook answered {answer.status_code}: {answer.text[:300]}")
        result: Json = answer.json()
        return result


@dataclass
class Setup:
    clients: dict[str, str]
    tactical: Json
    ninjaone: Json
    huntress: Json
    closed_status: str
    triage_board: str


def seed(api: Api, vendors: DemoVendors, now: datetime) -> Setup:
    """Clients, assets with their RMM device ids, a triage board, the three integrations (the
    organizations map to clients by name), a rule each and a maintenance window."""
    clients = {name: api.call("POST", "/clients", {"name": name})["id"] for name in CLIENTS}
    for name, client, provider, device in (
        ("FRONTDESK-01", "Acme Dental", "tacticalrmm", TACTICAL_AGENT),
        ("GLOBEX-SRV01", "Globex Corp", "tacticalrmm", GLOBEX_AGENT),
        ("ccesxi03.cc.local", "KMSP Radio Station", "ninjaone", NINJA_DEVICE),
    ):
        refs = [{"provider": provider, "external_id": device}]
        api.call("POST", "/assets", {"client_id": clients[client], "name": name,
                                     "external_refs": refs})  # fmt: skip
    board = next(b for b in api.call("GET", "/boards") if b["is_default"])
    closed = next(s["id"] for s in board["statuses"] if s["is_closed"])
    triage = api.call("POST", "/boards", {"name": "Security Triage", "statuses": [
        {"name": "New", "is_default": True}, {"name": "Done", "is_closed": True}]})  # fmt: skip
    quiet = {"polling": {"enabled": False}}  # the fakes list no alerts to reconcile with
    tactical = api.call("POST", "/integrations", {
        "provider": "tacticalrmm", "instance_url": vendors.tactical_url,
        "credentials": {"api_key": vendors.tactical.api_key}, "settings": quiet})  # fmt: skip
    ninjaone = api.call("POST", "/integrations", {
        "provider": "ninjaone", "instance_url": vendors.ninjaone_url, "settings": quiet,
        "credentials": {"client_id": vendors.ninjaone.client_id,
                        "client_secret": vendors.ninjaone.client_secret}})  # fmt: skip
    huntress = api.call("POST", "/integrations", {
        "provider": "huntress", "instance_url": vendors.huntress_url,
        "credentials": {"api_key": vendors.huntress.api_key,
                        "api_secret": vendors.huntress.api_secret}})  # fmt: skip
    api.call("PATCH", f"/integrations/{huntress['id']}", {"settings": {
        "board_id": board["id"], "fallback_client_id": clients["Unassigned security"],
        "fallback_board_id": triage["id"], "auto_close_tickets": True,
        "closed_status_id": closed}})  # fmt: skip
    for integration in (tactical, ninjaone):
        rule = {"name": "Every alert", "description": "Opens a ticket for every alert.",
                "actions": {"create_ticket": True}}  # fmt: skip
        api.call("POST", f"/integrations/{integration['id']}/alert-rules", rule)
    api.call("POST", "/maintenance-windows", {
        "name": "Globex patch night", "client_id": clients["Globex Corp"],
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat()})  # fmt: skip
    return Setup(clients, tactical, ninjaone, huntress, closed, triage["id"])


def _tactical_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


def _expect(result: Json, outcome: str, what: str) -> Json:
    if result.get("outcome") != outcome:
        raise DemoFailed(f"{what}: expected {outcome}, got {result}")
    return result


def flapping_condition(api: Api, setup: Setup, now: datetime) -> str:
    """FRONTDESK-01's disk check fails, recovers and fails twice more, then recovers: one
    ticket with three occurrences, the alert resolved at the end."""
    trigger, resolve = (
        fixture("tacticalrmm", "webhook_trigger.json"),
        fixture("tacticalrmm", "webhook_resolved.json"),
    )
    start = now - timedelta(minutes=30)
    opened = _expect(
        api.deliver(setup.tactical, trigger | {"alert_time": _tactical_time(start)}),
        "ticket_created", "the first failure",
    )  # fmt: skip
    for flap in range(1, 4):
        back = start + timedelta(minutes=10 * flap - 5)
        resolved = resolve | {
            "alert_time": _tactical_time(start),
            "resolved_on": _tactical_time(back),
        }
        _expect(api.deliver(setup.tactical, resolved), "resolved", "a recovery")
        if flap < 3:
            again = trigger | {"alert_time": _tactical_time(back + timedelta(minutes=5))}
            _expect(api.deliver(setup.tactical, again), "occurrence_appended", "a new failure")
    ticket = api.call("GET", f"/tickets/{opened['ticket_id']}")
    return f'{ticket["number"]} "{ticket["title"]}": 3 occurrences, the alert resolved'


def suppressed_in_window(api: Api, setup: Setup, now: datetime) -> str:
    """A Globex server alerts during Globex's maintenance window: recorded, no ticket."""
    payload = fixture("tacticalrmm", "webhook_trigger.json") | {
        "alert_id": "2210", "agent_id": GLOBEX_AGENT, "hostname": "GLOBEX-SRV01",
        "client_id": "4", "client": "Globex Corp", "alert_type": "check", "severity": "warning",
        "message": "GLOBEX-SRV01 has a service check: Windows Update service that failed.",
        "alert_time": _tactical_time(now - timedelta(minutes=2)),
    }  # fmt: skip
    _expect(api.deliver(setup.tactical, payload), "suppressed", "the Globex alert")
    return 'GLOBEX-SRV01: alert recorded, no ticket (inside "Globex patch night")'


def closed_ticket_resets_the_rmm(
    api: Api, setup: Setup, vendors: DemoVendors, now: datetime
) -> str:
    """A NinjaOne memory alert opens a ticket; a person closes it; the job worker resets the
    alert in NinjaOne (seen by the fake NinjaOne API)."""
    payload = fixture("ninjaone", "condition_triggered.json") | {
        "activityTime": (now - timedelta(minutes=10)).timestamp()
    }
    opened = _expect(api.deliver(setup.ninjaone, payload), "ticket_created", "the memory alert")
    api.call("PATCH", f"/tickets/{opened['ticket_id']}", {"status_id": setup.closed_status})
    series = payload["seriesUid"]
    _eventually(lambda: series in vendors.ninjaone.resets, 60, "NinjaOne's alert reset")
    ticket = api.call("GET", f"/tickets/{opened['ticket_id']}")
    return f"{ticket['number']} closed → NinjaOne was asked to reset alert {series[:8]}…"


def huntress_poll(api: Api, setup: Setup) -> str:
    """A poll of the fake Huntress API: a ticket for the Acme incident, and one on the triage
    board for an organization no client is mapped to. (The job worker's own scheduled poll may
    get there first: either way the same two tickets, once.)"""
    api.call("POST", f"/integrations/{setup.huntress['id']}/poll", allow=(409,))  # 409: running

    def tickets() -> list[Json]:
        return [t for t in api.call("GET", "/tickets") if t["source"] == "huntress"]

    _eventually(lambda: len(tickets()) >= 2, 60, "two Huntress tickets")
    found = tickets()
    if len(found) != 2:
        raise DemoFailed(f"the Huntress poll: expected 2 tickets, got {len(found)}")
    numbers = ", ".join(sorted(t["number"] for t in found))
    return f"{numbers}: one for Acme Dental, one for an unmapped organization (Security Triage)"


def _eventually(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise DemoFailed(f"{what} did not happen within {seconds:.0f} s")
