"""Running the demo: its own embedded database in its own folder (never the configured one),
the fakes, the web app with its job worker on a loopback port, the story, a summary — then it
keeps serving until Ctrl+C (or stops at once with `--exit`)."""

from __future__ import annotations

import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from alertdesk.app import create_app
from alertdesk.demo import scenario
from alertdesk.demo.scenario import Api, DemoFailed, Setup
from alertdesk.demo.vendors import DemoVendors, running_vendors
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.auth import issue_token
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.settings import Settings

EMAIL = "admin@demo.example.com"
STARTUP_SECONDS = 60


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start(runtime: Runtime, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    app = create_app(runtime)
    app.state.runs_worker = True  # resets the RMM alert when a person closes a ticket
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="demo-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise DemoFailed(f"the web server did not start on port {port}")
        time.sleep(0.05)
    return server, thread


def run_demo(console: Console, port: int, data_dir: Path | None, keep_serving: bool) -> None:
    if not _port_free(port):
        raise DemoFailed(f"port {port} is in use: choose another with --port")
    folder = data_dir or Path(tempfile.mkdtemp(prefix="alertdesk-demo-"))
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=None, data_dir=folder, base_url=url, smtp_url=None, serve_worker=True
    )
    password = secrets.token_urlsafe(12)
    with console.status("Starting the embedded PostgreSQL and creating the schema…"):
        runtime = Runtime.from_settings(settings)
    try:
        with runtime.database.transaction() as session:
            _, admin = create_tenant(session, "Demo MSP", EMAIL, password)
            token = issue_token(session, admin, "alertdesk demo", runtime.now()).secret
        server, thread = _start(runtime, port)
        try:
            with running_vendors(datetime.now(UTC)) as vendors:
                lines = _tell(console, Api(url, token), vendors)
                _summary(console, lines, url, password, folder)
                if keep_serving:
                    _serve_until_interrupted(console, thread)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        runtime.close()


def _tell(console: Console, api: Api, vendors: DemoVendors) -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    setup: list[Setup] = []

    def seeded() -> str:
        setup.append(scenario.seed(api, vendors, now))
        return "5 clients, 3 assets, 3 integrations, 2 rules, 1 maintenance window"

    steps: list[tuple[str, Callable[[], str]]] = [
        ("Demo tenant", seeded),
        ("Flapping disk check (TacticalRMM)", lambda: scenario.flapping_condition(
            api, setup[0], now)),
        ("Alert in a maintenance window", lambda: scenario.suppressed_in_window(
            api, setup[0], now)),
        ("Ticket closed → RMM reset (NinjaOne)", lambda: scenario.closed_ticket_resets_the_rmm(
            api, setup[0], vendors, now)),
        ("Huntress poll", lambda: scenario.huntress_poll(api, setup[0])),
    ]  # fmt: skip
    lines = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        for title, step in steps:
            task = progress.add_task(title, total=1)
            result = step()
            progress.update(task, completed=1, description=f"[green]✓[/green] {title}")
            lines.append((title, result))
    return lines


def _summary(
    console: Console, lines: list[tuple[str, str]], url: str, password: str, folder: Path
) -> None:
    table = Table(title="What happened", show_lines=False)
    table.add_column("Step", style="bold")
    table.add_column("Result")
    for title, result in lines:
        table.add_row(title, result)
    console.print(table)
    console.print(f"Open [bold]{url}/ui[/bold] and sign in as [bold]{EMAIL}[/bold] with the "
                  f"password [bold]{password}[/bold]")  # fmt: skip
    console.print(f"  tickets: {url}/ui/tickets · alerts and their decision traces: "
                  f"{url}/ui/alerts · integrations: {url}/ui/settings/integrations")  # fmt: skip
    console.print(f"  data (embedded PostgreSQL): {folder}")


def _serve_until_interrupted(console: Console, thread: threading.Thread) -> None:
    console.print("The demo keeps running: press [bold]Ctrl+C[/bold] to stop it.")
    try:
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:
        console.print("stopping…")
