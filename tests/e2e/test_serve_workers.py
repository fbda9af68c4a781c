"""`alertdesk serve --workers 2`: two web processes answer, webhooks are processed, and the
job worker runs once, in a process of its own beside them (started and stopped by serve),
delivering the event outbox."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

from alertdesk.testing.fakes import FakeTactical, fixture, serving
from tests.e2e.conftest import running_workspace


def test_two_web_processes_one_job_worker(make_database: Callable[[], str], tmp_path: Path) -> None:
    url = make_database()
    with (
        serving(FakeTactical()) as tactical,
        running_workspace(url, tmp_path, serve_args=("--workers", "2")) as ws,
    ):
        ws.api("POST", "/clients", json={"name": "Acme Dental"})
        body = {"provider": "tacticalrmm", "instance_url": tactical,
                "credentials": {"api_key": "tactical-key"},
                "settings": {"polling": {"enabled": False}}}  # fmt: skip
        hook = ws.api("POST", "/integrations", json=body)
        ws.api("POST", f"/integrations/{hook['id']}/alert-rules", json={"name": "all"})
        headers = {"X-Alertdesk-Secret": hook["webhook_secret"]}
        for n in range(6):
            delivery = {**fixture("tacticalrmm", "webhook_trigger.json"), "alert_id": str(n),
                        "agent_id": f"agent-{n}"}  # fmt: skip
            answer = httpx.post(hook["webhook_url"], json=delivery, headers=headers, timeout=30)
            assert answer.json()["outcome"] == "ticket_created", answer.text
        assert len(ws.api("GET", "/tickets")) == 6

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        deadline = time.monotonic() + 30
        delivered = 0
        while time.monotonic() < deadline and delivered < 12:
            with psycopg.connect(plain) as conn:
                row = conn.execute("select count(*) from event where delivered_at is not null")
                delivered = int((row.fetchone() or (0,))[0])
            time.sleep(0.5)
        assert delivered >= 12  # six RMM_ALERT_TRIGGERED and six TICKET_CREATED, handed over
        with psycopg.connect(plain) as conn:
            workers = conn.execute("select count(*) from procrastinate_workers").fetchone()
        assert workers == (1,)  # one job worker for the host, not one per web process
        job_workers = _worker_processes(url)
        assert len(job_workers) == 1, job_workers
        log = ws.log.read_text()
        assert log.count("Started server process") == 2, log
    assert not any(Path(f"/proc/{pid}").exists() for pid in job_workers)  # stopped with serve


def _worker_processes(database_url: str) -> list[int]:
    """`alertdesk worker` processes on this machine working on `database_url`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in command and f"ALERTDESK_DATABASE_URL={database_url}".encode() in environ:
            found.append(int(pid))
    return found
