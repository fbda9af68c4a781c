"""`serve`'s job worker in a process of its own beside the web processes, when they share a
PostgreSQL server: run inside a web process it shared that process's event loop and GIL, and
each webhook cost a third more CPU (docs/performance.md). Started again when it fails."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from alertdesk.jobs.worker import GRACEFUL_SECONDS, RESTART_SECONDS
from alertdesk.settings import Settings

CONCURRENCY = 2  # jobs at once: a slow vendor call does not hold up the event outbox
log = logging.getLogger(__name__)


def command() -> list[str]:
    return [sys.executable, "-m", "alertdesk", "worker", "--concurrency", str(CONCURRENCY)]


@contextmanager
def worker_beside(settings: Settings) -> Iterator[bool]:
    """For as long as the block runs, one `alertdesk worker` child process when `serve` runs a
    job worker on a PostgreSQL server (the web processes are then told not to run one); with
    the embedded database the single web process keeps its own. Yields True when started."""
    if not (settings.serve_worker and settings.database_url):
        yield False
        return
    os.environ["ALERTDESK_SERVE_WORKER"] = "false"  # read by the web processes it starts
    supervisor = Supervisor(command())
    supervisor.start()
    try:
        yield True
    finally:
        supervisor.stop()


class Supervisor(threading.Thread):
    """Runs the child until stopped; one that fails (a non-zero exit: an error, a kill) is
    started again, one that stops cleanly (it was asked to) is not."""

    def __init__(self, args: list[str], restart_after: float = RESTART_SECONDS) -> None:
        super().__init__(name="job-worker-supervisor", daemon=True)
        self.args, self.restart_after, self.stopping = args, restart_after, threading.Event()
        self.lock = threading.Lock()
        self.child: subprocess.Popen[bytes] | None = None

    def run(self) -> None:
        while True:
            with self.lock:
                if self.stopping.is_set():
                    return
                child = self.child = subprocess.Popen(self.args)  # noqa: S603 (our own command)
            code = child.wait()
            if code == 0 or self.stopping.is_set():  # asked to stop (a Ctrl-C reaches it too)
                return
            log.error("the job worker exited with %s; starting it again in %s s", code,
                      self.restart_after)  # fmt: skip
            self.stopping.wait(self.restart_after)

    def stop(self) -> None:
        """SIGTERM lets running jobs finish (GRACEFUL_SECONDS); killed if it takes longer."""
        with self.lock:
            self.stopping.set()
            child = self.child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=GRACEFUL_SECONDS + 5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.join(timeout=5)
