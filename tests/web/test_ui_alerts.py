"""The alert pages: the list with its filters and pages, one alert with its facts, the decision
trace told as sentences and the raw payload, and "Create ticket" (new or joined)."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alertdesk.storage.models import User
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import (
    NOW,
    World,
    add_integration,
    add_rule,
    add_window,
    build_world,
    make_event,
    tickets,
)
from tests.web.ui_support import csrf_from, sign_in, text_of

Tech = tuple[User, dict[str, str]]
_ROW = re.compile(r'<a href="/ui/alerts/([0-9a-f-]{36})" class="ticket-title">')


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


def trigger(session: Session, world: World, alert_id: str, **event: Any) -> uuid.UUID:
    outcome = world.process(session, world.event(external_alert_id=alert_id, **event))
    assert outcome.alert_id is not None, outcome
    return outcome.alert_id


def rows(page: str) -> list[str]:
    """The alert ids of the list's rows, in order."""
    return _ROW.findall(page)


def story(page: str) -> list[str]:
    """The sentences of the decision trace, without their ✓ / ! marks."""
    block = re.search(r'data-testid="trace-story">(.*?)</ol>', page, re.DOTALL)
    assert block is not None
    items = re.findall(r"<li>(.*?)</li>", block.group(1), re.DOTALL)
    return [text_of(re.sub(r'<span class="badge[^"]*"[^>]*>[^<]*</span>', "", i)) for i in items]


def get(client: TestClient, path: str, **params: str) -> str:
    response = client.get(path, params=params or None)
    assert response.status_code == 200, response.text
    text: str = response.text
    return text


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_each_alert_newest_first_to_a_technician(
    client: TestClient, session: Session, world: World, technician: Tech
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    older = trigger(session, world, "A-1", occurred_at=NOW - timedelta(hours=1))
    newer = trigger(session, world, "A-2", condition="CPU", severity="critical",
                    message="CPU is greater than 95% for 10 minutes")  # fmt: skip
    sign_in(client, technician[0].email)
    page = get(client, "/ui/alerts")
    assert rows(page) == [str(newer), str(older)]
    text = text_of(page)
    assert "CPU above 95% for 10 minutes" in text  # the readable summary
    assert "WS-ACCT-01" in text  # the device
    assert "Acme" in text  # the client (the asset's)
    assert "ninjaone integration" in text
    assert '<span class="sev sev-critical">critical</span>' in page
    assert "TKT-000001" in text
    assert "TKT-000002" in text
    detail = client.get("/api/v1/alerts", headers=technician[1]).json()
    ticket_of = {a["id"]: a["ticket_id"] for a in detail}
    assert f'href="/ui/tickets/{ticket_of[str(newer)]}"' in page
    assert 'href="/ui/alerts" class="active"' in page


def test_the_list_filters_by_status_severity_integration_and_client(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    disk = trigger(session, world, "A-1", severity="critical")
    cpu = trigger(session, world, "A-2", condition="CPU", device="unknown-device")  # mapped org
    world.process(session, world.event(kind="reset", external_alert_id="A-2"))
    tactical = add_integration(session, world.tenant, "tacticalrmm")
    event = replace(make_event(world.tenant, tactical.id, external_alert_id="T-1", org=None),
                    provider="tacticalrmm")  # fmt: skip
    quiet = world.process(session, event).alert_id  # recorded only: no rules there
    sign_in(client, tenant.admin.email)

    def ids(**params: str) -> set[str]:
        return set(rows(get(client, "/ui/alerts", **params)))

    everything = {str(disk), str(cpu), str(quiet)}
    assert ids() == everything
    assert ids(status="resolved") == {str(cpu)}
    assert ids(status="active") == {str(disk), str(quiet)}
    assert ids(severity="critical") == {str(disk)}
    assert ids(integration_id=str(tactical.id)) == {str(quiet)}
    assert ids(client_id=str(world.client.id)) == {str(disk)}
    assert ids(client_id=str(world.mapped_client.id)) == {str(cpu)}
    assert ids(status="active", client_id=str(world.mapped_client.id)) == set()
    # unknown values are ignored, as on the ticket list
    assert ids(status="open", severity="urgent", client_id="acme", offset="-3") == everything
    selected = get(client, "/ui/alerts", severity="critical")
    assert '<option value="critical" selected>' in selected


def test_htmx_filter_requests_get_only_the_rows(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    trigger(session, world, "A-1")
    sign_in(client, tenant.admin.email)
    response = client.get("/ui/alerts", headers={"HX-Request": "true", "HX-Target": "alert-rows"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="alert-rows"')
    assert "<html" not in response.text


def test_the_list_pages_fifty_at_a_time(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    made = [
        trigger(session, world, f"A-{n}", condition=f"C{n}", occurred_at=NOW - timedelta(minutes=n))
        for n in range(52)
    ]
    sign_in(client, tenant.admin.email)
    first = get(client, "/ui/alerts", severity="major")
    assert rows(first) == [str(a) for a in made[:50]]
    assert "Alerts 1\u201350" in text_of(first)
    older = re.search(r'href="([^"]*offset=50[^"]*)"', first)
    assert older is not None
    assert "severity=major" in html.unescape(older.group(1))  # the filters are kept
    second = get(client, html.unescape(older.group(1)))
    assert rows(second) == [str(a) for a in made[50:]]
    assert "Alerts 51\u201352" in text_of(second)
    assert "Older →" not in second
    assert "← Newer" in second


def test_empty_states(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    sign_in(client, tenant.admin.email)
    assert "No alerts yet" in get(client, "/ui/alerts")
    trigger(session, world, "A-1")
    assert "No alerts match these filters" in get(client, "/ui/alerts", status="suppressed")


def test_another_tenants_alerts_are_not_shown(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    world: World,
    make_tenant: Callable[..., TenantCtx],
) -> None:
    other = make_tenant()
    theirs = trigger(session, build_world(session, other.id, other.admin.id), "A-1")
    mine = trigger(session, world, "A-1")
    sign_in(client, tenant.admin.email)
    assert rows(get(client, "/ui/alerts")) == [str(mine)]
    assert client.get(f"/ui/alerts/{theirs}").status_code == 404
    assert client.get(f"/ui/alerts/{uuid.uuid4()}").status_code == 404
    token = csrf_from(get(client, f"/ui/alerts/{mine}"))
    pressed = client.post(f"/ui/alerts/{theirs}/create-ticket", data={"csrf_token": token})
    assert pressed.status_code == 404
    assert tickets(session, other.id) == []


def test_pages_need_a_signed_in_user(client: TestClient, world: World) -> None:
    response = client.get("/ui/alerts", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")


# --- one alert -----------------------------------------------------------------------------


def test_the_detail_page_tells_the_facts_the_story_and_the_raw_payload(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id, name="Disk alerts")
    raw = {"seriesUid": "A-1", "note": "<script>alert(1)</script>", "nested": {"n": [1, 2]}}
    first = trigger(session, world, "A-1", raw=raw, message="Disk <b>C:</b> is 95% full")
    second = trigger(session, world, "A-2")
    sign_in(client, tenant.admin.email)

    page = get(client, f"/ui/alerts/{first}")
    text = text_of(page)
    for fact in ("WS-ACCT-01", "Acme", "ninjaone integration", "2026-03-02 10:00 UTC",
                 "Occurrences 2", "TKT-000001", "A-1", "Nothing asked"):  # fmt: skip
        assert fact in text, fact
    assert story(page) == [
        "No maintenance window covered it.",
        "Rule “Disk alerts” (active rule 1) matched.",
        "Created ticket TKT-000001.",
    ]
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>C:</b>" not in page
    raw_block = re.search(
        r'<details class="raw"><summary>Raw payload</summary><pre class="code">(.*?)</pre>',
        page,
        re.DOTALL,
    )
    assert raw_block is not None
    assert '"nested": {\n    "n": [\n      1,' in html.unescape(raw_block.group(1))
    assert "Create ticket</button>" not in page  # it has a ticket: a link instead
    assert "Open TKT-000001" in text
    assert 'href="/ui/alerts" class="active"' in page

    assert story(get(client, f"/ui/alerts/{second}"))[-1] == (
        "Joined TKT-000001 as the 2nd occurrence: the same condition on this device already had "
        "it open."
    )


def test_the_story_of_a_suppressed_and_of_an_unrouted_alert(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    hour = timedelta(hours=1)
    add_window(session, world.tenant, name="Patch night", starts_at=NOW, ends_at=NOW + hour)
    muted = trigger(session, world, "A-1")
    unrouted = trigger(session, world, "A-2", condition="CPU", occurred_at=NOW + timedelta(hours=2))
    sign_in(client, tenant.admin.email)
    assert "Maintenance window “Patch night” covered it: suppressed, without a ticket." in text_of(
        get(client, f"/ui/alerts/{muted}")
    )
    story = text_of(get(client, f"/ui/alerts/{unrouted}"))
    assert "No rule matched: recorded without a ticket." in story
    assert "Create ticket" in story


# --- create ticket -------------------------------------------------------------------------


@pytest.fixture
def unlinked(session: Session, world: World) -> list[uuid.UUID]:
    """Two alerts of one condition, recorded without a ticket (the rule records only)."""
    add_rule(session, world.tenant, world.integration.id, actions={"create_ticket": False})
    return [trigger(session, world, "A-1"), trigger(session, world, "A-2")]


def press(client: TestClient, alert_id: uuid.UUID, token: str | None = None) -> Any:
    page = get(client, f"/ui/alerts/{alert_id}")
    data = {"csrf_token": csrf_from(page) if token is None else token}
    return client.post(f"/ui/alerts/{alert_id}/create-ticket", data=data, follow_redirects=False)


def test_create_ticket_lands_on_the_new_ticket_then_the_next_alert_joins_it(
    client: TestClient,
    session: Session,
    world: World,
    technician: Tech,
    unlinked: list[uuid.UUID],
) -> None:
    sign_in(client, technician[0].email)
    first = press(client, unlinked[0])
    assert first.status_code == 303, first.text
    [ticket] = tickets(session, world.tenant)
    assert first.headers["location"] == f"/ui/tickets/{ticket.id}"
    assert ticket.title == "Disk C: is 95% full — WS-ACCT-01"

    second = press(client, unlinked[1])
    assert second.status_code == 303, second.text
    assert second.headers["location"] == f"/ui/tickets/{ticket.id}"
    assert len(tickets(session, world.tenant)) == 1
    ticket_page = get(client, f"/ui/tickets/{ticket.id}")
    assert "Alert linked by hand — 2nd occurrence." in ticket_page
    for alert in unlinked:
        assert f'href="/ui/alerts/{alert}"' in ticket_page
    story = text_of(get(client, f"/ui/alerts/{unlinked[1]}"))
    assert (
        "Terry Tech pressed Create ticket: it joined TKT-000001 as the 2nd occurrence, the "
        "ticket already open for the same condition on this device." in story
    )
    assert "Terry Tech created ticket TKT-000001 by hand." in text_of(
        get(client, f"/ui/alerts/{unlinked[0]}")
    )


def test_create_ticket_needs_the_csrf_token(
    client: TestClient, session: Session, tenant: TenantCtx, world: World, unlinked: list[uuid.UUID]
) -> None:
    sign_in(client, tenant.admin.email)
    response = press(client, unlinked[0], token="forged")
    assert response.status_code == 403
    assert tickets(session, world.tenant) == []


def test_create_ticket_problems_are_shown_on_the_alert_page(
    client: TestClient, session: Session, tenant: TenantCtx, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id, actions={"create_ticket": False})
    nowhere = trigger(session, world, "A-9", device="unknown-device", org="unmapped-org")
    sign_in(client, tenant.admin.email)
    response = press(client, nowhere)
    assert response.status_code == 422
    assert "No client for this alert" in text_of(response.text)
    assert 'role="alert"' in response.text
    assert tickets(session, world.tenant) == []


def test_an_alert_linked_meanwhile_answers_409_on_its_page(
    client: TestClient, session: Session, tenant: TenantCtx, world: World, unlinked: list[uuid.UUID]
) -> None:
    sign_in(client, tenant.admin.email)
    token = csrf_from(get(client, f"/ui/alerts/{unlinked[0]}"))
    assert press(client, unlinked[0], token).status_code == 303
    again = press(client, unlinked[0], token)  # a second tab, pressed after the first
    assert again.status_code == 409
    assert "already has a linked ticket" in again.text
    assert len(tickets(session, world.tenant)) == 1
