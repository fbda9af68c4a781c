"""`serve`'s job worker process: started only with a PostgreSQL server and a worker wanted,
started again when it fails (not when it stopped cleanly), stopped (SIGTERM) with serve."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from alertdesk.jobs import worker_process
from alertdesk.jobs.worker_process import Supervisor, worker_beside
from alertdesk.settings import Settings


def _unset_serve_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset for the test and as it was afterwards (worker_beside writes it)."""
    monkeypatch.setenv("ALERTDESK_SERVE_WORKER", "true")
    monkeypatch.delenv("ALERTDESK_SERVE_WORKER")


@pytest.mark.parametrize(
    ("database_url", "serve_worker"),
    [(None, True), ("postgresql://db/alertdesk", False), (None, False)],
)
def test_no_child_without_a_server_or_a_wanted_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None, serve_worker: bool
) -> None:
    _unset_serve_worker(monkeypatch)
    settings = Settings(data_dir=tmp_path, database_url=database_url, serve_worker=serve_worker)
    with worker_beside(settings) as started:
        assert started is False
        assert "ALERTDESK_SERVE_WORKER" not in os.environ  # the web process keeps its own


def test_the_child_is_the_worker_command_and_web_processes_leave_it_the_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unset_serve_worker(monkeypatch)
    monkeypatch.setattr(worker_process, "command", lambda: [sys.executable, "-c", "pass"])
    settings = Settings(data_dir=tmp_path, database_url="postgresql://db/alertdesk")
    with worker_beside(settings) as started:
        assert started is True
        assert os.environ["ALERTDESK_SERVE_WORKER"] == "false"
        assert Settings(data_dir=tmp_path).serve_worker is False  # what a web process reads


def test_worker_command_line() -> None:
    args = worker_process.command()
    assert args[:4] == [sys.executable, "-m", "alertdesk", "worker"]
    assert args[-2:] == ["--concurrency", str(worker_process.CONCURRENCY)]


def _starts(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_a_child_that_fails_is_started_again_until_stopped(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    script = f"open({str(starts)!r}, 'a').write('started\\n'); raise SystemExit(1)"
    supervisor = Supervisor([sys.executable, "-c", script], restart_after=0.05)
    supervisor.start()
    deadline = time.monotonic() + 30
    while _starts(starts) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    supervisor.stop()
    assert _starts(starts) >= 3
    settled = _starts(starts)
    time.sleep(0.5)
    assert _starts(starts) == settled  # none after stop
    assert not supervisor.is_alive()


def test_a_child_that_stops_cleanly_is_not_started_again(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    script = f"open({str(starts)!r}, 'a').write('started\\n')"
    supervisor = Supervisor([sys.executable, "-c", script], restart_after=0.05)
    supervisor.start()
    supervisor.join(timeout=30)
    assert not supervisor.is_alive()  # done supervising: the worker was asked to stop
    assert _starts(starts) == 1
    supervisor.stop()  # serve's own stop afterwards is harmless


def test_stop_terminates_a_running_child(tmp_path: Path) -> None:
    supervisor = Supervisor([sys.executable, "-c", "import time; time.sleep(120)"])
    supervisor.start()
    deadline = time.monotonic() + 30
    while supervisor.child is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child = supervisor.child
    assert child is not None
    started = time.monotonic()
    supervisor.stop()
    assert child.poll() is not None  # SIGTERM ended it: not left behind
    assert time.monotonic() - started < 10
    assert not supervisor.is_alive()
