"""Shared fixtures for the end-to-end tests: a real `alertdesk init` + `alertdesk serve` (and
`alertdesk worker`)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TENANT, EMAIL, PASSWORD = "Newcomer MSP", "owner@newcomer.example", "a long first password"
STARTUP_SECONDS = 30


@pytest.fixture
def chromium() -> Path:
    """The system Chromium; requested first, so nothing is started when it is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"Chromium is not installed at {CHROMIUM}; the browser scenario cannot run."
    if os.environ.get("CI"):
        pytest.fail(f"{reason} CI must provide it (e.g. apt-get install chromium).")
    pytest.skip(reason)


def _command() -> list[str]:
    """The installed `alertdesk` script next to this Python, else `python -m alertdesk`."""
    script = Path(sys.executable).parent / "alertdesk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "alertdesk"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Workspace:
    url: str
    token: str
    log: Path
    worker: subprocess.Popen[bytes] | None = None  # the separate `alertdesk worker`, if any

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`alertdesk serve` exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(
        f"`alertdesk serve` did not answer /healthz in {STARTUP_SECONDS}s:\n{log.read_text()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as a service manager sends it; killed only if it does not stop in time."""
    process.terminate()
    try:
        return process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
        return -9


@contextmanager
def running_workspace(
    database_url: str, folder: Path, separate_worker: bool = False, serve_args: tuple[str, ...] = ()
) -> Iterator[Workspace]:
    """`init`, then `serve` (with its in-process job worker, or `--no-worker` beside an
    `alertdesk worker` process); both stopped with SIGTERM on exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTDESK_")}
    env |= {
        "ALERTDESK_DATABASE_URL": database_url,
        "ALERTDESK_DATA_DIR": str(folder / "data"),
        "ALERTDESK_SECRET_KEY": secrets.token_urlsafe(48),
        "PYTHONUNBUFFERED": "1",  # the access log reaches serve.log as it is written
    }
    init = subprocess.run(
        [*_command(), "init", "--tenant", TENANT, "--admin-email", EMAIL,
         "--admin-password", PASSWORD],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert init.returncode == 0, f"init failed:\n{init.stdout}\n{init.stderr}"
    token = init.stdout.strip().splitlines()[-1].strip()
    assert token.startswith("adk_"), f"the last line of init is not a token:\n{init.stdout}"

    port, log = _free_port(), folder / "serve.log"
    url = f"http://127.0.0.1:{port}"
    serve = [*_command(), "serve", "--port", str(port), *serve_args]
    with log.open("wb") as out, (folder / "worker.log").open("wb") as worker_out:
        server = subprocess.Popen(
            [*serve, "--no-worker"] if separate_worker else serve, env=env, stdout=out, stderr=out
        )
        worker = None
        if separate_worker:
            worker = subprocess.Popen(
                [*_command(), "worker", "--concurrency", "2"],
                env=env, stdout=worker_out, stderr=worker_out,
            )  # fmt: skip
        try:
            _wait_until_healthy(url, server, log)
            yield Workspace(url, token, log, worker)
        finally:
            _stop(server)
            if worker is not None and worker.poll() is None:
                _stop(worker)


@pytest.fixture
def workspace(make_database: Callable[[], str], tmp_path: Path) -> Iterator[Workspace]:
    with running_workspace(make_database(), tmp_path) as running:
        yield running
