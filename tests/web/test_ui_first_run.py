"""A new admin's first steps in the browser: connecting an RMM offers "a ticket for every
alert" (a visible catch-all rule) or "I'll write rules"; "Send test alert" runs a sample of the
vendor's real webhook through the pipeline and says where it went; NinjaOne does not claim its
webhook is registered while authorization is pending."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from alertdesk.testing.fakes import NINJA_URL, TACTICAL_URL
from tests.conftest import TenantCtx
from tests.web.api_helpers import Json, make_client
from tests.web.integration_helpers import API, get_json
from tests.web.ui_support import page_token, sign_in

PAGE = "/ui/settings/integrations"


def submit(client: TestClient, url: str, **fields: Any) -> Any:
    return client.post(url, data={"csrf_token": page_token(client), **fields})


def connect_tactical(client: TestClient, tenant: TenantCtx, **choice: str) -> Json:
    sign_in(client, tenant.admin.email)
    form = client.get(PAGE).text
    assert 'name="first_rule" value="all" checked' in form  # the default
    page = submit(client, PAGE, provider="tacticalrmm", instance_url=TACTICAL_URL,
                  api_key="tactical-key", **choice)  # fmt: skip
    assert page.status_code == 200, page.text
    [hook] = get_json(client, tenant.headers, API)
    return dict(hook)


def rules(client: TestClient, tenant: TenantCtx, hook: Json) -> list[Json]:
    found: list[Json] = get_json(client, tenant.headers, f"{API}/{hook['id']}/alert-rules")
    return found


def result_text(page: str) -> str:
    """The test-alert message as read on the page (tags dropped)."""
    found = re.search(r'data-testid="test-result">(.*?)</div>', page, re.S)
    assert found is not None, page
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_the_default_choice_adds_a_catch_all_rule_and_a_test_alert_opens_a_ticket(
    client: TestClient, tenant: TenantCtx
) -> None:
    make_client(client, tenant.headers, "Acme Dental")  # Tactical client 3: matched by name
    hook = connect_tactical(client, tenant)
    [rule] = rules(client, tenant, hook)
    assert (rule["name"], rule["conditions"], rule["is_active"]) == ("Every alert", {}, True)
    assert rule["actions"]["create_ticket"] is True

    page = submit(client, f"{PAGE}/{hook['id']}/test-alert")
    result = result_text(page.text)
    assert result.startswith("Test alert delivered. It opened")
    ticket = re.search(r'<a href="/ui/tickets/([0-9a-f-]+)">([^<]+)</a>', page.text)
    assert ticket is not None
    opened = get_json(client, tenant.headers, f"/api/v1/tickets/{ticket.group(1)}")
    assert opened["number"] == ticket.group(2)
    assert "ALERTDESK-TEST" in opened["title"]
    assert "See the alert and why" in result
    events = get_json(client, tenant.headers, f"{API}/{hook['id']}/inbound-events")
    assert [e["auth_method"] for e in events] == ["test"]  # in the ingest log, as sent

    again = result_text(submit(client, f"{PAGE}/{hook['id']}/test-alert").text)
    assert again.startswith("Test alert delivered.")  # each test is its own condition


def test_an_unmapped_organization_is_explained(client: TestClient, tenant: TenantCtx) -> None:
    hook = connect_tactical(client, tenant)
    result = result_text(submit(client, f"{PAGE}/{hook['id']}/test-alert").text)
    assert "recorded without a ticket: organization not mapped to a client" in result
    assert "Map an organization to a client below" in result


def test_choosing_to_write_rules_adds_none_and_the_test_alert_says_so(
    client: TestClient, tenant: TenantCtx
) -> None:
    make_client(client, tenant.headers, "Acme Dental")
    hook = connect_tactical(client, tenant, first_rule="none")
    assert rules(client, tenant, hook) == []
    page = submit(client, f"{PAGE}/{hook['id']}/test-alert").text
    assert "no rule opens tickets yet — create one" in result_text(page)
    assert f'href="{PAGE}/{hook["id"]}/rules/new">create one</a>' in page


def test_a_disconnected_integration_takes_no_test_alert(
    client: TestClient, tenant: TenantCtx
) -> None:
    hook = connect_tactical(client, tenant)
    assert client.delete(f"{API}/{hook['id']}", headers=tenant.headers).status_code == 200
    page = submit(client, f"{PAGE}/{hook['id']}/test-alert")
    assert page.status_code == 422  # shown again with the reason
    assert "takes no test alerts" in page.text


def test_ninjaone_awaiting_authorization_does_not_claim_its_webhook_is_registered(
    client: TestClient, tenant: TenantCtx
) -> None:
    sign_in(client, tenant.admin.email)
    page = submit(client, PAGE, provider="ninjaone", instance_url=NINJA_URL,
                  client_id="ninja-client", client_secret="ninja-secret",
                  authorization="oauth")  # fmt: skip
    assert page.status_code == 200, page.text
    assert "Authorize in NinjaOne" in page.text
    assert 'data-testid="webhook-pending"' in page.text
    assert "registered this address" not in page.text
    assert "Send test alert" not in page.text  # not active yet
