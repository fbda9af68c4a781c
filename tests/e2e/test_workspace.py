"""Done when: a newcomer installs, inits, serves, and works a ticket end to end in a browser.

Runs the real `alertdesk init` and `alertdesk serve` commands as subprocesses against a fresh
database, seeds a client and a ticket through the API with the printed token, then signs in
with Chromium and works the ticket. Every step is checked on the page and, at the end,
through the API. A full-page screenshot is left in test-artifacts/ for humans.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import ARTIFACTS, EMAIL, PASSWORD, Workspace


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/ui")
    expect(page).to_have_url(re.compile(r"/ui/login\?next="))
    expect(page.get_by_role("heading", name="Sign in to your workspace")).to_be_visible()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/ui/tickets")
    expect(page.locator(".whoami")).to_contain_text("Administrator")


def _work_the_ticket(page: Page, title: str) -> None:
    timeline, status = page.locator(".timeline"), page.get_by_test_id("ticket-status")

    page.get_by_label("Add a comment").fill("Replaced the toner cartridge.")
    page.get_by_role("button", name="Add comment").click()
    expect(timeline).to_contain_text("Replaced the toner cartridge.")
    expect(page.get_by_label("Add a comment")).to_be_empty()

    page.get_by_label("Minutes", exact=True).fill("25")
    page.get_by_label("Note", exact=True).fill("Onsite visit")
    page.get_by_role("button", name="Log time").click()
    expect(page.locator("#time h3")).to_contain_text("25m")
    expect(page.locator("#time")).to_contain_text("Onsite visit")

    page.get_by_label("Status", exact=True).select_option(label="In Progress")
    page.get_by_label("Priority", exact=True).select_option(label="High")
    page.get_by_label("Assignee", exact=True).select_option(label="Administrator")
    page.get_by_role("button", name="Save changes").click()
    expect(status).to_have_text("In Progress")
    expect(timeline).to_contain_text("changed status from New to In Progress")
    expect(timeline).to_contain_text("changed priority from Medium to High")
    expect(timeline).to_contain_text("changed assignee from nobody to Administrator")
    expect(page.get_by_label("Priority", exact=True)).to_have_value(re.compile(".+"))

    page.get_by_role("button", name="Close ticket").click()
    expect(status).to_have_text("Closed")
    expect(page.get_by_text(re.compile(r"Closed .* by Administrator\."))).to_be_visible()
    expect(timeline).to_contain_text("changed status from In Progress to Closed")
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_a_newcomer_works_a_ticket_end_to_end(chromium: Path, workspace: Workspace) -> None:
    announced = workspace.log.read_text()
    assert f"listening on {workspace.url}" in announced, announced
    assert f"{workspace.url}/ui" in announced, announced

    client = workspace.api("POST", "/clients", json={"name": "Acme Dental"})
    ticket = workspace.api(
        "POST", "/tickets", json={"title": "Printer on fire", "client_id": client["id"]}
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _sign_in(page, workspace.url)
            row = page.get_by_role("row").filter(has_text=ticket["number"])
            expect(row).to_contain_text("Printer on fire")
            expect(row).to_contain_text("Acme Dental")
            expect(row).to_contain_text("New")
            row.get_by_role("link", name="Printer on fire").click()
            expect(page).to_have_url(f"{workspace.url}/ui/tickets/{ticket['id']}")
            expect(page.get_by_role("heading", name="Printer on fire")).to_be_visible()

            _work_the_ticket(page, "Printer on fire")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "e2e-ticket-closed.png"), full_page=True)

            page.get_by_role("link", name="All tickets").click()
            expect(page.get_by_text("No tickets here")).to_be_visible()  # closed: off the list
        finally:
            browser.close()

    detail = workspace.api("GET", f"/tickets/{ticket['id']}")
    admin = next(u for u in workspace.api("GET", "/users") if u["email"] == EMAIL)
    assert detail["is_closed"] is True
    assert detail["closed_by_kind"] == "user"
    assert detail["closed_by_user_id"] == admin["id"]
    assert detail["assigned_to"] == admin["id"]
    assert [c["body"] for c in detail["comments"]] == ["Replaced the toner cartridge."]
    assert detail["comments"][0]["author_id"] == admin["id"]
    assert detail["total_minutes"] == 25
    assert [(e["minutes"], e["note"]) for e in detail["time_entries"]] == [(25, "Onsite visit")]
    assert sorted(h["field"] for h in detail["history"]) == [
        "assignee", "priority", "status", "status",
    ]  # fmt: skip
    assert all(h["actor_kind"] == "user" for h in detail["history"])
