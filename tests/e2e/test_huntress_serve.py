"""Done when (issue: Huntress): against a local fake Huntress API server and a running
`alertdesk serve`, a poll creates the right tickets, re-polling creates none, an unmapped
organization lands on the fallback board, and a closed incident appends a note and closes
its ticket (seed Task 16's smoke checklist). The real client paces its requests (1.1 s)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alertdesk.testing.fakes import FakeHuntress, serving
from tests.e2e.conftest import Workspace, running_workspace


def recent(minutes_ago: int) -> str:
    when = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return when.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def huntress(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, FakeHuntress, dict[str, Any]]]:
    fake = FakeHuntress()
    critical, closed = fake.incidents
    critical["updated_at"] = recent(50)
    closed["updated_at"] = recent(40)
    unmapped = copy.deepcopy(critical) | {
        "id": 600001, "organization_id": 77121, "agent_id": None, "updated_at": recent(30),
        "subject": "LOW - Suspicious M365 login", "severity": "low",
    }  # fmt: skip
    fake.incidents.append(unmapped)
    folder = tmp_path_factory.mktemp("huntress")
    # No job worker: its minute tick would queue a scheduled poll as soon as routing is
    # complete, racing the polls this test makes by hand (409, or counts taken by the other).
    workspace = running_workspace(make_database(), folder, serve_args=("--no-worker",))
    with serving(fake) as url, workspace as ws:
        acme = ws.api("POST", "/clients", json={"name": "Acme Dental"})
        fallback = ws.api("POST", "/clients", json={"name": "Unassigned security"})
        body = {
            "provider": "huntress",
            "instance_url": url,
            "credentials": {"api_key": "hk-key", "api_secret": "hk-secret"},
        }
        integration = ws.api("POST", "/integrations", json=body)
        board = next(b for b in ws.api("GET", "/boards") if b["is_default"])
        closed_status = next(s["id"] for s in board["statuses"] if s["name"] == "Closed")
        triage = ws.api("POST", "/boards", json={"name": "Security Triage", "statuses": [
            {"name": "New", "is_default": True}, {"name": "Done", "is_closed": True}]})  # fmt: skip
        routing = {
            "board_id": board["id"],
            "fallback_client_id": fallback["id"],
            "fallback_board_id": triage["id"],
            "auto_close_tickets": True,
            "closed_status_id": closed_status,
        }
        ws.api("PATCH", f"/integrations/{integration['id']}", json={"settings": routing})
        yield ws, fake, {"integration": integration, "acme": acme, "fallback": fallback,
                         "triage": triage}  # fmt: skip


def test_the_smoke_checklist(huntress: tuple[Workspace, FakeHuntress, dict[str, Any]]) -> None:
    ws, fake, ids = huntress
    poll = f"/integrations/{ids['integration']['id']}/poll"
    counts = ws.api("POST", poll)
    assert (counts["fetched"], counts["created"], counts["recorded"], counts["errors"]) == (
        3, 2, 1, 0,
    )  # fmt: skip
    tickets = {
        t["source_reference"]: t for t in ws.api("GET", "/tickets") if t["source"] == "huntress"
    }
    assert set(tickets) == {"512877", "600001"}
    assert tickets["512877"]["client_id"] == ids["acme"]["id"]
    unmapped = tickets["600001"]
    assert (unmapped["client_id"], unmapped["board_id"]) == (
        ids["fallback"]["id"],
        ids["triage"]["id"],
    )
    assert unmapped["title"].startswith("[Huntress] [Unmapped Org]")

    assert ws.api("POST", poll)["created"] == 0  # re-polling creates nothing

    critical = next(i for i in fake.incidents if i["id"] == 512877)
    critical |= {"status": "closed", "closed_at": recent(1), "updated_at": recent(1)}
    closing = ws.api("POST", poll)
    assert (closing["noted"], closing["closed"]) == (1, 1)
    ticket = ws.api("GET", f"/tickets/{tickets['512877']['id']}")
    assert (ticket["is_closed"], ticket["closed_by_kind"]) == (True, "system")
    assert any("closed" in c["body"].lower() for c in ticket["comments"][1:])
