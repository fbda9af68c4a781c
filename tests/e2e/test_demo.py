"""Done when (issue: demo): `alertdesk demo`, run as a new user would — no configuration, no
vendor account — seeds its tenant on its own embedded database, replays the story against the
fake vendors, prints a summary with the sign-in, and keeps serving: Chromium then finds the
tickets, the alerts with their decision traces, the suppressed alert, the RMM reset and the
Huntress tickets. Screenshots (desktop and 390 px) land in test-artifacts/demo-*.png."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import ARTIFACTS, _command, _free_port

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_SECONDS = 120  # the bar: the story told within two minutes
STEPS = (
    "Demo tenant",
    "Flapping disk check (TacticalRMM)",
    "Alert in a maintenance window",
    "Ticket closed → RMM reset (NinjaOne)",
    "Huntress poll",
)


@dataclass
class Demo:
    url: str
    email: str
    password: str
    output: str


def _read_until_summary(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break  # it stopped
        lines.append(line)
        if "press Ctrl+C" in line:
            return "".join(lines)
    process.kill()
    pytest.fail("the demo did not reach its summary:\n" + "".join(lines))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTDESK_")}
    env |= {"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    port, folder = _free_port(), tmp_path_factory.mktemp("demo") / "data"
    process = subprocess.Popen(
        [*_command(), "demo", "--port", str(port), "--data-dir", str(folder)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        output = _read_until_summary(process, time.monotonic() + DEMO_SECONDS)
        found = re.search(r"sign in as (\S+) with the password (\S+)", output)
        assert found, output
        yield Demo(f"http://127.0.0.1:{port}", found[1], found[2], output)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_story_is_told_and_summarized(demo: Demo) -> None:
    for step in STEPS:
        assert f"✓ {step}" in demo.output, demo.output
    assert "3 occurrences, the alert resolved" in demo.output
    assert 'inside "Globex patch night"' in demo.output
    assert "NinjaOne was asked to reset alert" in demo.output
    assert "TKT-000003, TKT-000004" in demo.output


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"demo-{name}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / f"demo-{name}-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} overflows at 390 px ({width} px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_ui_shows_what_the_demo_did(demo: Demo) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{demo.url}/ui/login")
        page.get_by_label("Email").fill(demo.email)
        page.get_by_label("Password").fill(demo.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{demo.url}/ui/tickets")
        for number in ("TKT-000001", "TKT-000003", "TKT-000004"):  # TKT-000002 is closed
            expect(page.get_by_text(number).first).to_be_visible()
        shot(page, "tickets")

        page.goto(f"{demo.url}/ui/alerts")
        expect(page.get_by_text("GLOBEX-SRV01").first).to_be_visible()
        shot(page, "alerts")
        page.get_by_role("link", name="Windows Update service failed").click()
        expect(page.get_by_text("Globex patch night").first).to_be_visible()
        shot(page, "suppressed-alert")

        page.goto(f"{demo.url}/ui/alerts")
        page.get_by_role("link", name=re.compile("Memory Utilization")).click()
        expect(page.get_by_text(re.compile(r"^Done "))).to_be_visible()  # reset in NinjaOne
        shot(page, "rmm-reset")

        page.goto(f"{demo.url}/ui/tickets")
        page.get_by_role("link", name=re.compile("TKT-000001")).first.click()
        expect(page.get_by_text("3rd occurrence").first).to_be_visible()
        shot(page, "flapping-ticket")
        browser.close()
