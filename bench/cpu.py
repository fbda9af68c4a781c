"""CPU seconds spent by each kind of process on this host during a phase, from /proc: the
PostgreSQL server, alertdesk's web processes (serve and its workers), its job worker and this
benchmark's client, so a phase's cost per event can be split between the database and Python
(Linux only)."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _kind(pid: str) -> str | None:
    if pid == str(os.getpid()):
        return "client"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return None
    if command.startswith(b"pgbench"):
        return "client"
    if command.startswith(b"postgres") or b"/postgres " in command:
        return "postgres"
    if b"alertdesk worker" in command:
        return "job_worker"
    if b"alertdesk" in command or b"multiprocessing" in command:
        return "web"
    return None


def _seconds(pid: str) -> float:
    """utime + stime of a process and its reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


Sample = dict[str, dict[str, float]]


def sample() -> Sample:
    """{kind: {pid: cpu seconds}} for every process of a known kind now."""
    found: dict[str, dict[str, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (kind := _kind(entry)) is not None:
            found.setdefault(kind, {})[entry] = _seconds(entry)
    return found


def spent(before: Sample, after: Sample) -> dict[str, float]:
    """CPU seconds per kind between two samples (a process that started meanwhile counts whole;
    one that ended meanwhile is lost — PostgreSQL backends of a pool live through a phase)."""
    return {
        kind: round(sum(s - before.get(kind, {}).get(pid, 0.0) for pid, s in pids.items()), 3)
        for kind, pids in after.items()
    }


def per_event(since: Sample, events: int) -> dict[str, float]:
    """Milliseconds of CPU per event for each kind since `since`."""
    return {kind: round(1000 * s / max(1, events), 2) for kind, s in spent(since, sample()).items()}
