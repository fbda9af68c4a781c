"""Memory of `alertdesk serve`: RSS idle and after a load of webhook ingest. JSON on stdout, a
table on stderr.

    .venv/bin/python bench/memory.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
        [--create 600] [--occurrence 1200] [--mixed 300] [--concurrency 16] [--workers 1]

Creates a fresh database on the server and runs `alertdesk init` + `alertdesk serve` on it (with
its in-process job worker) with the ingest benchmark's helpers (bench/ingest.py: a TacticalRMM
integration on a local fake API, a catch-all rule, the captured Tactical webhooks); measures
the resident memory of serve's processes (`VmRSS` of the serve process and its children, from
/proc, Linux; also their PSS and each process' RSS) after start-up (`idle`, after `--settle`
seconds), every half second during the load (`peak`), right after it and `--settle` seconds
later (`after`). The load is ingest's `create` (distinct conditions: one ticket each),
`occurrence` (repeats onto open tickets) and `mixed` (trigger then resolve) phases, at the
sizes of docs/performance.md's figures (about a minute in all on 2 cores). The database is
dropped at the end. Target: at most 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tests.e2e.conftest import Workspace, running_workspace  # noqa: E402

import ingest  # noqa: E402
from alertdesk.testing.fakes import FakeTactical, serving  # noqa: E402
from scratch import scratch_database  # noqa: E402

TARGET_MB = 300.0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:  # the task ended meanwhile
            continue
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], _children(pid)
    while todo:
        child = todo.pop()
        out.append(child)
        todo += _children(child)
    return out


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def serve_processes(url: str) -> list[int]:
    """This run's `alertdesk serve` (found by its port) and every process under it."""
    port = url.rsplit(":", 1)[1]
    for pid in descendants(os.getpid()):
        args = command_line(pid)
        if "serve" in args and port in args:
            return [pid, *descendants(pid)]
    raise RuntimeError(f"no `alertdesk serve --port {port}` among this process' children")


def _kib(path: str, field: str) -> int:
    """A `Field:   123 kB` line of a /proc file; 0 once the process is gone."""
    try:
        text = Path(path).read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _mb(kib: int) -> float:
    return round(kib * 1024 / 1e6, 1)


def rss_mb(pids: list[int]) -> float:
    """The summed VmRSS of these processes (those still running), in MB (10^6 bytes)."""
    return _mb(sum(_kib(f"/proc/{pid}/status", "VmRSS") for pid in pids))


def breakdown(pids: list[int]) -> dict[str, Any]:
    """RSS summed and per process, and PSS summed (shared pages counted once overall)."""
    return {
        "rss_mb": rss_mb(pids),
        "pss_mb": _mb(sum(_kib(f"/proc/{pid}/smaps_rollup", "Pss") for pid in pids)),
        "processes": [
            {"pid": pid, "command": " ".join(command_line(pid)).strip()[-70:],
             "rss_mb": rss_mb([pid])}
            for pid in pids
        ],
    }  # fmt: skip


class Sampler:
    """Samples serve's RSS every `every` seconds in a thread; keeps the peak."""

    def __init__(self, url: str, every: float = 0.5) -> None:
        self.url, self.every, self.peak, self.samples = url, every, 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(serve_processes(self.url)))
            self.samples += 1
            self._stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def load(ws: Workspace, hook: str, secret: str, args: argparse.Namespace) -> dict[str, Any]:
    """Ingest's create, occurrence and mixed phases, in that order."""
    agents = [f"mem-agent-{i:06d}" for i in range(args.create)]
    creates = [ingest.delivery(ingest.TRIGGER, a, f"c{i}") for i, a in enumerate(agents)]
    repeats = [ingest.delivery(ingest.TRIGGER, agents[i % len(agents)], f"o{i}")
               for i in range(args.occurrence)]  # fmt: skip
    mixed = [[ingest.delivery(kind, f"mixed-{i:05d}", f"m{i}")
              for kind in (ingest.TRIGGER, ingest.RESOLVE)] for i in range(args.mixed)]  # fmt: skip
    phases: dict[str, Any] = {}
    for name, bodies in (("create", creates), ("occurrence", repeats), ("mixed", mixed)):
        wall, latencies, _ = asyncio.run(ingest.send(hook, secret, bodies, args.concurrency))
        phases[name] = ingest.summary(name, wall, latencies, None)
    return phases


def measure(url: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    serve_args = ("--workers", str(args.workers))
    with (
        serving(FakeTactical()) as tactical,
        running_workspace(url, folder, serve_args=serve_args) as ws,
    ):
        time.sleep(args.settle)
        pids = serve_processes(ws.url)
        idle = breakdown(pids)
        print(f"idle: {idle['rss_mb']} MB in {len(pids)} process(es)", file=sys.stderr, flush=True)
        hook, secret = ingest.setup(ws, tactical)
        started = time.perf_counter()
        with Sampler(ws.url) as sampler:
            try:
                phases = load(ws, hook, secret, args)
            except Exception:
                tail = ws.log.read_text(errors="replace").splitlines()[-40:]
                print("serve's log ends with:", *tail, sep="\n", file=sys.stderr)
                raise
        load_s = time.perf_counter() - started
        right_after = rss_mb(serve_processes(ws.url))
        time.sleep(args.settle)
        after = breakdown(serve_processes(ws.url))
    deliveries = args.create + args.occurrence + 2 * args.mixed
    return {
        "serve_processes": len(pids), "web_processes": args.workers,
        "idle_mb": idle["rss_mb"], "peak_mb": max(sampler.peak, right_after),
        "right_after_mb": right_after, "after_mb": after["rss_mb"],
        "idle_pss_mb": idle["pss_mb"], "after_pss_mb": after["pss_mb"],
        "idle": idle, "after": after,
        "samples": sampler.samples, "deliveries": deliveries, "load_s": round(load_s, 1),
        "phases": phases, "target_mb": TARGET_MB,
        "within_target": max(sampler.peak, right_after, after["rss_mb"]) <= TARGET_MB,
        "method": "VmRSS summed over `alertdesk serve` and its child processes (/proc), in MB of"
        f" 10^6 bytes: idle {args.settle} s after /healthz answered; peak sampled every 0.5 s"
        f" during the load; after = {args.settle} s after the load. PSS (smaps_rollup) counts"
        " pages shared between processes once: the better total with several processes",
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--create", type=int, default=600)
    parser.add_argument("--occurrence", type=int, default=1200)
    parser.add_argument("--mixed", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="web processes of serve")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before sampling")
    args = parser.parse_args()

    with scratch_database(args.server) as (name, url), tempfile.TemporaryDirectory() as folder:
        results = {"database": name, **measure(url, Path(folder), args)}
    print(json.dumps(results, indent=2))
    print(f"{'':<6}{'idle':>8}{'peak':>8}{'after':>8}  MB, `alertdesk serve` in "
          f"{results['serve_processes']} process(es)", file=sys.stderr)  # fmt: skip
    print(f"{'RSS':<6}{results['idle_mb']:>8}{results['peak_mb']:>8}{results['after_mb']:>8}"
          f"  target ≤ {TARGET_MB:.0f}: {'ok' if results['within_target'] else 'over'}",
          file=sys.stderr)  # fmt: skip
    print(f"{'PSS':<6}{results['idle_pss_mb']:>8}{'':>8}{results['after_pss_mb']:>8}",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
