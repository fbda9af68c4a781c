"""Webhook ingest against its floor, in one run: JSON on stdout, a table on stderr.

    .venv/bin/python bench/ingest.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
        [--concurrency 16] [--create 1000] [--occurrence 2000] [--storm 5000] [--mixed 500]
        [--workers 1]

Creates a fresh database on the server, runs `alertdesk init` + `alertdesk serve` on it (its
job worker process included), connects a TacticalRMM integration (a local fake API) with a
catch-all rule, then measures (a) the floor — the minimal SQL of a ticket-creating event and of
an occurrence append, replayed at the same concurrency straight on the database (bench/floor.py)
— and (b) HTTP ingest of the same work: `create` (distinct conditions), `occurrence` (repeats
onto open tickets), `storm` (one condition from 32 senders; its rate per tenth) and `mixed`
(trigger then resolve), and `paced`: repeats sent open-loop at half the occurrence rate, for the
latency at that load. Each phase's CPU per event is split by process kind (bench/cpu.py).
Every count is checked exactly against the database afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tests.e2e.conftest import Workspace, running_workspace  # noqa: E402

import cpu  # noqa: E402
import floor  # noqa: E402
from alertdesk.testing.fakes import (  # noqa: E402
    FakeTactical,
    fixture,
    serving,
)
from loadgen import Connection  # noqa: E402
from scratch import scratch_database  # noqa: E402

TRIGGER: dict[str, Any] = fixture("tacticalrmm", "webhook_trigger.json")
RESOLVE: dict[str, Any] = fixture("tacticalrmm", "webhook_resolved.json")


def delivery(kind: dict[str, Any], agent: str, alert_id: str) -> bytes:
    body = {**kind, "agent_id": agent, "hostname": agent[:15].upper(), "alert_id": alert_id}
    return json.dumps(body).encode()


async def send(
    url: str, secret: str, bodies: list[bytes] | list[list[bytes]], concurrency: int
) -> tuple[float, list[float], list[float]]:
    """Wall seconds, each request's latency, and each completion's time since the start. A
    list of bodies is sent in its order by one sender (a trigger before its resolve)."""
    queue: asyncio.Queue[list[bytes]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item if isinstance(item, list) else [item])
    latencies: list[float] = []
    done: list[float] = []
    started = time.perf_counter()

    async def sender() -> None:
        connection = Connection(url, _headers(secret))
        try:
            while not queue.empty():
                for body in queue.get_nowait():
                    sent = time.perf_counter()
                    await _posted(connection, body)
                    now = time.perf_counter()
                    latencies.append(now - sent)
                    done.append(now - started)
        finally:
            await connection.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, sorted(done)


async def paced(url: str, secret: str, bodies: list[bytes], rate: float) -> list[float]:
    """Open loop: each body sent at its own time (`rate` per second), whatever the answers
    before it, on a free connection of a pool that grows as needed; each request's latency."""
    latencies: list[float] = []
    idle: list[Connection] = []
    started = time.perf_counter()

    async def one(i: int, body: bytes) -> None:
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        connection = idle.pop() if idle else Connection(url, _headers(secret))
        sent = time.perf_counter()
        await _posted(connection, body)
        latencies.append(time.perf_counter() - sent)
        idle.append(connection)

    await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))
    for connection in idle:
        await connection.close()
    return latencies


def _headers(secret: str) -> dict[str, str]:
    return {"X-Alertdesk-Secret": secret, "Content-Type": "application/json"}


async def _posted(connection: Connection, body: bytes) -> None:
    status, answer = await connection.post(body)
    if status != 200:
        raise RuntimeError(f"{status}: {answer.decode(errors='replace')}")


def summary(
    name: str, wall: float, latencies: list[float], floor_tps: float | None,
    since: cpu.Sample | None = None,
) -> dict[str, Any]:  # fmt: skip
    ordered = sorted(latencies)
    rate = len(ordered) / wall

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    found = {"phase": name, "events": len(ordered), "events_per_s": round(rate, 1),
             "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99)}  # fmt: skip
    if floor_tps:
        found |= {"floor_per_s": round(floor_tps, 1), "ratio_to_floor": round(rate / floor_tps, 3)}
    if since is not None:
        found["cpu_ms_per_event"] = cpu.per_event(since, len(ordered))
    print(f"{name}: {found}", file=sys.stderr, flush=True)  # progress while the run goes on
    return found


_TAKEN = ("alertdesk_webhook_deliveries_per_transaction_sum",
          "alertdesk_webhook_deliveries_per_transaction_count",
          "alertdesk_webhook_retried_alone_total")  # fmt: skip


def taken(ws: Workspace) -> tuple[float, ...]:
    """The web process's counts of webhook deliveries, transactions and retries alone (with
    several web processes, the one that answered)."""
    lines = httpx.get(f"{ws.url}/metrics").text.splitlines()
    values = dict(line.split()[:2] for line in lines if line.startswith(_TAKEN))
    return tuple(float(values.get(name, 0)) for name in _TAKEN)


def together(ws: Workspace, before: tuple[float, ...]) -> dict[str, float]:
    """Deliveries per transaction during a phase, and the transactions retried alone."""
    deliveries, transactions, alone = (a - b for a, b in zip(taken(ws), before, strict=True))
    return {"per_transaction": round(deliveries / max(transactions, 1), 2), "retried_alone": alone}


def tenths(done: list[float]) -> list[float]:
    """Events per second in each tenth of the storm, by completion order."""
    size = len(done) // 10
    rates = []
    for i in range(10):
        chunk = done[i * size : (i + 1) * size]
        start = done[i * size - 1] if i else 0.0
        rates.append(round(len(chunk) / max(chunk[-1] - start, 1e-9), 1))
    return rates


def setup(ws: Workspace, tactical_url: str) -> tuple[str, str]:
    ws.api("POST", "/clients", json={"name": "Acme Dental"})
    body = {
        "provider": "tacticalrmm", "instance_url": tactical_url,
        "credentials": {"api_key": "tactical-key"},
        "settings": {"polling": {"enabled": False}},  # the fake lists no alerts
    }  # fmt: skip
    integration = ws.api("POST", "/integrations", json=body)
    rule = {"name": "Every alert", "actions": {"create_ticket": True}}
    ws.api("POST", f"/integrations/{integration['id']}/alert-rules", json=rule)
    return f"{ws.url}/webhooks/tacticalrmm/{integration['id']}", integration["webhook_secret"]


# autovacuum's own rule for analyzing a table (autovacuum_analyze_threshold + _scale_factor)
_STALE = """
    SELECT format('%I.%I', s.schemaname, s.relname) FROM pg_stat_user_tables s
    JOIN pg_class c ON c.oid = s.relid
    WHERE s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
"""


@contextlib.contextmanager
def autoanalyze(url: str, every: float = 1.0) -> Iterator[bool]:
    """When the server runs without autovacuum (as this machine's does), analyze each table
    autovacuum would — more than 50 rows + 10% changed since its last analysis — checked every
    second while the run goes on. Without it the planner takes a growing table for the empty
    one it last saw and scans every alert and open ticket of the tenant where a unique index
    finds one row. Yields True when it runs."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("show autovacuum").fetchone()
        if row and row[0] == "on":
            yield False
            return
        conn.execute("analyze")
    stop = threading.Event()

    def analyzing() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.wait(every):
                for (table,) in conn.execute(_STALE).fetchall():
                    dropped = psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName
                    with contextlib.suppress(*dropped):  # the table or its schema went since
                        conn.execute(f"analyze {table}")

    thread = threading.Thread(target=analyzing, daemon=True)
    thread.start()
    try:
        yield True
    finally:
        stop.set()
        thread.join()


def floor_run(
    url: str, script: str, variables: dict[str, str], args: argparse.Namespace
) -> tuple[float, dict[str, float]]:
    """The floor's transactions per second for `script`, and its CPU per transaction."""
    since = cpu.sample()
    tps = floor.run(url, script, variables, args.concurrency, args.floor_seconds)
    time.sleep(1)  # pgbench's server processes end after it: counted once reaped
    return tps, cpu.per_event(since, int(tps * args.floor_seconds))


def checks(url: str, expected: dict[str, int], storm_agent: str, storm: int) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        tickets = conn.execute("select count(*) from ticket").fetchone()
        alerts = conn.execute("select count(*) from alert").fetchone()
        storm_tickets = conn.execute(
            "select count(distinct ticket_id) from alert where external_device_id = %s",
            (storm_agent,),
        ).fetchone()
        storm_count = conn.execute(
            "select max(occurrence_count) from alert where external_device_id = %s", (storm_agent,)
        ).fetchone()
        open_alerts = conn.execute(
            "select count(*) from alert where external_device_id like 'mixed-%%' and status <> "
            "'resolved'"
        ).fetchone()
    found = {
        "tickets": tickets[0] if tickets else None,
        "alerts": alerts[0] if alerts else None,
        "storm_tickets": storm_tickets[0] if storm_tickets else None,
        "storm_occurrences": storm_count[0] if storm_count else None,
        "mixed_still_open": open_alerts[0] if open_alerts else None,
    }
    wanted = {**expected, "storm_tickets": 1, "storm_occurrences": storm, "mixed_still_open": 0}
    return {"found": found, "expected": wanted, "exact": found == wanted}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--create", type=int, default=1000)
    parser.add_argument("--occurrence", type=int, default=2000)
    parser.add_argument("--storm", type=int, default=5000)
    parser.add_argument("--mixed", type=int, default=500)
    parser.add_argument("--floor-seconds", type=float, default=10)
    parser.add_argument("--paced-seconds", type=float, default=15,
                        help="repeats sent at half the occurrence rate, for p99 there")  # fmt: skip
    parser.add_argument("--workers", type=int, default=1, help="web processes of serve")
    args = parser.parse_args()

    results: dict[str, Any] = {"concurrency": args.concurrency, "web_processes": args.workers}
    with scratch_database(args.server) as (name, url):
        results["database"] = name
        with (tempfile.TemporaryDirectory() as folder, serving(FakeTactical()) as tactical,
              running_workspace(url, Path(folder),
                                serve_args=("--workers", str(args.workers))) as ws,
              contextlib.ExitStack() as stack):  # fmt: skip
            hook, secret = setup(ws, tactical)
            variables = floor.prepare(url, max(1, args.create))
            results["autoanalyze"] = stack.enter_context(autoanalyze(url))
            create_floor, create_cpu = floor_run(url, floor.CREATE, variables, args)
            occurrence_floor, occurrence_cpu = floor_run(url, floor.OCCURRENCE, variables, args)
            floor.drop(url)
            results["floor"] = {
                "create_per_s": round(create_floor, 1),
                "occurrence_per_s": round(occurrence_floor, 1),
                "tool": floor.tool(),
                "cpu_ms_per_event": {"create": create_cpu, "occurrence": occurrence_cpu},
            }

            agents = [f"agent-{i:06d}" for i in range(args.create)]
            creates = [delivery(TRIGGER, a, f"c{i}") for i, a in enumerate(agents)]
            since, before = cpu.sample(), taken(ws)
            wall, lat, _ = asyncio.run(send(hook, secret, creates, args.concurrency))
            results["create"] = summary("create", wall, lat, create_floor, since)
            results["create"]["together"] = together(ws, before)

            repeats = [delivery(TRIGGER, agents[i % len(agents)], f"o{i}")
                       for i in range(args.occurrence)]  # fmt: skip
            since, before = cpu.sample(), taken(ws)
            wall, lat, _ = asyncio.run(send(hook, secret, repeats, args.concurrency))
            results["occurrence"] = summary("occurrence", wall, lat, occurrence_floor, since)
            results["occurrence"]["together"] = together(ws, before)

            rate = results["occurrence"]["events_per_s"] / 2
            count = max(20, int(rate * args.paced_seconds))
            steady = [delivery(TRIGGER, agents[i % len(agents)], f"p{i}") for i in range(count)]
            lat = asyncio.run(paced(hook, secret, steady, rate))
            results["paced"] = summary("paced", count / rate, lat, None) | {
                "offered_per_s": round(rate, 1)}  # fmt: skip

            storm_agent = "storm-agent"
            storm = [delivery(TRIGGER, storm_agent, f"s{i}") for i in range(args.storm)]
            before = taken(ws)
            wall, lat, done = asyncio.run(send(hook, secret, storm, 32))
            results["storm"] = summary("storm", wall, lat, None) | {"per_tenth": tenths(done)}
            results["storm"]["together"] = together(ws, before)
            first, last = results["storm"]["per_tenth"][0], results["storm"]["per_tenth"][-1]
            results["storm"]["last_to_first"] = round(last / first, 3)

            mixed = [[delivery(kind, f"mixed-{i:05d}", f"m{i}") for kind in (TRIGGER, RESOLVE)]
                     for i in range(args.mixed)]  # fmt: skip
            before = taken(ws)
            wall, lat, _ = asyncio.run(send(hook, secret, mixed, args.concurrency))
            results["mixed"] = summary("mixed", wall, lat, None)
            results["mixed"]["together"] = together(ws, before)

            alerts = args.create + args.occurrence + count + args.storm + args.mixed
            expected = {"tickets": args.create + 1 + args.mixed, "alerts": alerts}
            results["checks"] = checks(url, expected, storm_agent, args.storm)
    print(json.dumps(results, indent=2))
    table(results)
    return 0 if results["checks"]["exact"] else 1


def table(results: dict[str, Any]) -> None:
    print(f"{'phase':<12}{'events/s':>10}{'floor/s':>10}{'ratio':>8}{'p50':>8}{'p95':>8}"
          f"{'p99':>8}", file=sys.stderr)  # fmt: skip
    for phase in ("create", "occurrence", "paced", "storm", "mixed"):
        r = results[phase]
        print(f"{phase:<12}{r['events_per_s']:>10}{r.get('floor_per_s', ''):>10}"
              f"{r.get('ratio_to_floor', ''):>8}{r['p50_ms']:>8}{r['p95_ms']:>8}{r['p99_ms']:>8}",
              file=sys.stderr)  # fmt: skip
    print(f"storm per tenth: {results['storm']['per_tenth']}", file=sys.stderr)
    phases = [(p, results[p]["together"]) for p in ("create", "occurrence", "storm", "mixed")]
    print("deliveries per transaction (transactions retried alone): " + ", ".join(
        f"{p} {t['per_transaction']} ({t['retried_alone']:.0f})" for p, t in phases),
        file=sys.stderr)  # fmt: skip
    print(f"checks exact: {results['checks']['exact']}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
