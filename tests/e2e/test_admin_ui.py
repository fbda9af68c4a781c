"""Done when (issue: admin UI): everything an admin needs is done in the browser, with no API
call by hand. Against a running `alertdesk serve` and local fake Tactical and Huntress servers,
Chromium creates a client and an asset, connects Tactical (catch-all rule by default), maps an
organization, sends a test alert and follows it to its ticket, creates, reorders, edits (after
an inline regex error), switches off and deletes a rule, plans a weekly window, connects
Huntress and completes its routing until the paused banner goes; a technician cannot reach
settings; the menu works at 390 px. Screenshots of every page land in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from alertdesk.testing.fakes import FakeHuntress, FakeTactical, serving
from tests.e2e.conftest import ARTIFACTS, EMAIL, PASSWORD, Workspace, running_workspace

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TECH_EMAIL, TECH_PASSWORD = "tech@newcomer.example", "a technician password"


@pytest.fixture(scope="module")
def stack(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, str, str]]:
    folder = tmp_path_factory.mktemp("admin-ui")
    with (
        serving(FakeTactical()) as tactical,
        serving(FakeHuntress()) as huntress,
        running_workspace(make_database(), folder) as ws,
    ):
        yield ws, tactical, huntress


@pytest.fixture(scope="module")
def browser(stack: tuple[Workspace, str, str]) -> Iterator[Browser]:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        yield launched
        launched.close()


def sign_in(page: Page, url: str, email: str = EMAIL, password: str = PASSWORD) -> None:
    page.goto(f"{url}/ui/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/ui/tickets")


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def settings(page: Page, section: str) -> None:
    page.get_by_role("navigation", name="Settings").get_by_role("link", name=section).click()


def test_an_admin_sets_everything_up_in_the_browser(
    stack: tuple[Workspace, str, str], browser: Browser
) -> None:
    ws, tactical_url, huntress_url = stack
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, ws.url)
    page.get_by_role("link", name="Settings").first.click()

    _reference_data(page)
    _connect_tactical(page, tactical_url)
    _test_alert_to_ticket(page)
    _rules(page)
    _weekly_window(page)
    _huntress_routing(page, huntress_url)
    page.close()


def _reference_data(page: Page) -> None:
    settings(page, "Clients")
    page.get_by_label("Client name").fill("Acme Dental")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("cell", name="Acme Dental", exact=True)).to_be_visible()
    page.get_by_label("Client name").fill("Unassigned security")
    page.get_by_role("button", name="Add client").click()
    shot(page, "clients")

    settings(page, "Assets")
    page.get_by_role("link", name="Add asset").first.click()
    expect(page.get_by_role("heading", name="New asset")).to_be_visible()
    page.get_by_label("Client").select_option(label="Acme Dental")
    page.get_by_label("Name", exact=True).fill("FRONTDESK-01")
    page.get_by_label("RMM of device 1").select_option(label="Tactical RMM")
    page.get_by_label("Device id 1").fill("kBgMqvYwUeVQhMJrmxHsdbuxIOZpLfDUtXEnCkwa")
    page.get_by_role("button", name="Add asset").click()
    expect(page.get_by_role("cell", name="FRONTDESK-01", exact=True)).to_be_visible()
    shot(page, "assets")


def _connect_tactical(page: Page, url: str) -> None:
    settings(page, "Integrations")
    card = page.locator("form").filter(has_text="Connect Tactical RMM")
    card.get_by_label("API address").fill(url)
    card.get_by_label("API key").fill("tactical-key")
    expect(card.get_by_label("Create a ticket for every alert")).to_be_checked()
    card.get_by_role("button", name="Connect Tactical RMM").click()
    expect(page.get_by_role("heading", name="Tactical RMM")).to_be_visible()
    expect(page.get_by_test_id("webhook-secret")).to_be_visible()

    mappings = page.locator("#mappings")
    expect(mappings.get_by_role("row", name=re.compile("Acme Dental"))).to_contain_text(
        "matched by name"
    )
    mappings.get_by_label("Client for Globex Corp").select_option(label="Acme Dental")
    expect(page.locator("#mappings").get_by_label("Client for Globex Corp")).to_have_value(
        re.compile(".+")
    )
    shot(page, "integration")


def _test_alert_to_ticket(page: Page) -> None:
    page.get_by_role("button", name="Send test alert").click()
    result = page.get_by_test_id("test-result")
    expect(result).to_contain_text("Test alert delivered. It opened")
    result.get_by_role("link", name=re.compile(r"^TKT-")).click()
    expect(page.get_by_role("heading", name=re.compile("ALERTDESK-TEST"))).to_be_visible()
    shot(page, "test-alert-ticket")
    page.go_back()


def _rules(page: Page) -> None:
    page.get_by_role("link", name="Manage rules").click()
    expect(page.get_by_test_id("rule-row")).to_have_count(1)  # the catch-all
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name", exact=True).fill("Disk alerts")
    page.get_by_role("group", name="Severities").get_by_label("critical").check()
    page.get_by_label("Message pattern").fill("disk (C")
    page.get_by_label("Ticket title").fill("{{device}}: {{message}}")
    expect(page.get_by_test_id("preview-title")).to_contain_text(
        "ALERTDESK-TEST: Test alert from alertdesk"
    )  # the latest alert
    page.get_by_role("button", name="Create rule").click()
    expect(page.locator("#message_pattern-error")).to_contain_text("Invalid regular expression")
    expect(page.get_by_label("Message pattern")).to_have_attribute("aria-invalid", "true")
    shot(page, "rule-editor-error")
    page.get_by_label("Message pattern").fill("disk [A-Z]:")
    page.get_by_role("button", name="Create rule").click()

    rows = page.get_by_test_id("rule-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Disk alerts")
    page.get_by_role("button", name="Move Disk alerts up").click()
    expect(rows.nth(0)).to_contain_text("Disk alerts")
    page.get_by_role("switch", name="Deactivate Disk alerts").click()
    expect(page.get_by_role("switch", name="Activate Disk alerts")).to_be_visible()
    page.get_by_role("link", name="Disk alerts").click()
    page.get_by_label("Name", exact=True).fill("Disk space")
    page.get_by_role("button", name="Save rule").click()
    expect(rows.nth(0)).to_contain_text("Disk space")
    shot(page, "rules")
    page.get_by_role("button", name="Delete Disk space").click()
    expect(rows).to_have_count(1)


def _weekly_window(page: Page) -> None:
    settings(page, "Maintenance windows")
    page.get_by_role("link", name="Plan a window").click()
    page.get_by_label("Name").fill("Patch night")
    page.get_by_label("Integration").select_option(label="Tactical RMM")
    page.get_by_label("Every week").check()
    for day in ("Sat", "Sun"):
        page.get_by_role("group", name="Days").get_by_label(day).check()
    page.get_by_label("From").fill("22:00")
    page.get_by_label("Until").fill("04:00")
    page.get_by_label("Timezone").fill("Europe/Berlin")
    page.get_by_role("button", name="Create window").click()
    row = page.get_by_test_id("window-row")
    expect(row).to_contain_text("Patch night")
    expect(row).to_contain_text("Weekly, Sun, Sat")
    expect(row).to_contain_text(re.compile("Active now|Next "))
    shot(page, "windows")


def _huntress_routing(page: Page, url: str) -> None:
    settings(page, "Integrations")
    card = page.locator("form").filter(has_text="Connect Huntress")
    card.get_by_label("API address").fill(url)
    card.get_by_label("API key").fill("hk-key")
    card.get_by_label("API secret").fill("hk-secret")
    card.get_by_role("button", name="Connect Huntress").click()
    banner = page.get_by_test_id("routing-banner")
    expect(banner).to_contain_text("Polling is paused until routing is complete")
    page.get_by_label("Security board").select_option(label="Service Desk")
    page.get_by_label("Fallback client").select_option(label="Unassigned security")
    page.get_by_label("Triage board").select_option(label="Service Desk")
    page.get_by_role("button", name="Save routing").click()
    expect(page.get_by_test_id("routing-banner")).to_have_count(0)
    shot(page, "huntress")


def test_a_workflow_is_built_in_the_browser(
    stack: tuple[Workspace, str, str], browser: Browser
) -> None:
    ws, _, _ = stack
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, ws.url)
    page.goto(f"{ws.url}/ui/settings/workflows")
    page.get_by_role("link", name="New workflow").first.click()
    page.get_by_label("Name").fill("Tell me about critical alerts")
    page.get_by_label("When").select_option(label="An alert fires")
    page.get_by_role("group", name="Severities").get_by_label("critical").check()
    page.get_by_label("Step 1").select_option(label="Notify people")
    who = page.get_by_role("group", name="Who (step 1)")
    who.get_by_label("Administrator").check()  # the fields came with the chosen action
    page.get_by_label("Title", exact=True).fill("Critical: {{event.message}}")
    shot(page, "workflow-editor")
    page.get_by_role("button", name="Create workflow").click()
    row = page.get_by_test_id("workflow-row")
    expect(row).to_contain_text("Tell me about critical alerts")
    expect(row).to_contain_text("Notify people")
    shot(page, "workflows")
    [saved] = ws.api("GET", "/workflows")
    admin = next(u for u in ws.api("GET", "/users") if u["email"] == EMAIL)
    assert saved["steps"] == [{"action": "notifications.notify_users", "inputs": {
        "user_ids": [admin["id"]], "title": "Critical: {{event.message}}"}}]  # fmt: skip
    page.goto(f"{ws.url}/ui/notifications")
    shot(page, "notifications")
    page.get_by_role("link", name="Preferences").click()
    shot(page, "preferences")
    page.close()


def test_a_technician_cannot_reach_settings(
    stack: tuple[Workspace, str, str], browser: Browser
) -> None:
    ws, _, _ = stack
    ws.api("POST", "/users", json={"email": TECH_EMAIL, "password": TECH_PASSWORD,
                                   "name": "Terry Tech", "role": "technician"})  # fmt: skip
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, ws.url, TECH_EMAIL, TECH_PASSWORD)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings")
    ).to_have_count(0)
    response = page.goto(f"{ws.url}/ui/settings/integrations")
    assert response is not None
    assert response.status == 403
    page.close()


def test_the_menu_works_at_390_px(stack: tuple[Workspace, str, str], browser: Browser) -> None:
    ws, _, _ = stack
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, ws.url)
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.get_by_text("Menu").click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(f"{ws.url}/ui/settings/integrations")
    shot(page, "integrations-390")
    pages = ["windows", "clients", "assets", "users", "boards", "priorities", "workflows",
             "workflows/new", "email-outbox"]  # fmt: skip
    paths = [f"/ui/settings/{name}" for name in pages] + [
        "/ui/alerts", "/ui/tickets", "/ui/notifications", "/ui/notifications/preferences"
    ]  # fmt: skip
    for integration in ws.api("GET", "/integrations"):  # made by the admin test, when it ran
        page_of = f"/ui/settings/integrations/{integration['id']}"
        paths += [page_of] if integration["provider"] == "huntress" else [
            f"{page_of}?{integration['provider']}", f"{page_of}/rules", f"{page_of}/rules/new"
        ]  # fmt: skip
    for path in paths:
        page.goto(f"{ws.url}{path}")
        shot(page, re.sub(r"[0-9a-f-]{36}", "id", path).strip("/").replace("/", "-") + "-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at 390 px"
    page.close()
