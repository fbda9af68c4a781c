"""The floor for bench/ingest.py: the minimal SQL of a ticket-creating event and of an
occurrence append, replayed straight on PostgreSQL at the same concurrency — with pgbench where
installed, else an in-process psycopg equivalent — on copies of the real tables (same columns,
indexes and unique constraints) in a `floor` schema."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

TABLES = ("inbound_event", "alert", "alert_lock", "ticket", "ticket_comment", "event")
BODY = "repeat('x', 900)"  # about the size of a Tactical delivery
INBOUND = (
    "INSERT INTO floor.inbound_event (tenant, id, integration_id, provider, received_at, body,"
    " auth_method, status, outcome, attempts) VALUES (:tenant::uuid, md5('ie' || :n)::uuid,"
    f" :integration::uuid, 'tacticalrmm', now(), convert_to({BODY}, 'UTF8'), 'header', 'received',"
    " '{}', 0);"
)
DONE = (
    "UPDATE floor.inbound_event SET status = 'processed', processed_at = now(), attempts = 1"
    " WHERE tenant = :tenant::uuid AND id = md5('ie' || :n)::uuid;"
)
EVENT = (
    "INSERT INTO floor.event (tenant, id, type, payload) VALUES (:tenant::uuid, gen_random_uuid(),"
    " 'RMM_ALERT_TRIGGERED', jsonb_build_object('alert', :n::bigint, 'severity', 'critical'));"
)


def _alert(key: str, ticket: str, alert_id: str) -> str:
    return (
        "INSERT INTO floor.alert (tenant, id, integration_id, external_alert_id, severity, status,"
        " dedup_key, occurrence_count, triggered_at, last_occurrence_at, auto_ticket_created,"
        " ingest_source, metadata, decision, updated_at, ticket_id, message) VALUES (:tenant::uuid,"
        f" {alert_id}, :integration::uuid, 'x' || :n, 'critical', 'active', {key}, 1, now(), now(),"
        f" true, 'webhook', '{{}}', '{{\"outcome\": \"ticket_created\"}}', now(), {ticket},"
        " 'FRONTDESK-01 has a diskspace check that failed');"
    )


CREATE = "\n".join([
    "\\set n random(1, 999999999999999)",
    "BEGIN;",
    INBOUND,
    "INSERT INTO floor.alert_lock (tenant, id, integration_id, lock_key) VALUES (:tenant::uuid,"
    " gen_random_uuid(), :integration::uuid, 'c' || :n) ON CONFLICT DO NOTHING;",
    "SELECT ticket_alert_id FROM floor.alert_lock WHERE tenant = :tenant::uuid AND integration_id ="
    " :integration::uuid AND lock_key = 'c' || :n FOR UPDATE;",
    "SELECT nextval('floor.ticket_number');",
    "INSERT INTO floor.ticket (tenant, id, number, title, description, client_id, board_id,"
    " status_id, priority_id, source, updated_at) VALUES (:tenant::uuid, md5('t' || :n)::uuid,"
    " 'TKT-' || :n, 'Disk C: free space below 10% - FRONTDESK-01', 'description', :tenant::uuid,"
    " :tenant::uuid, :tenant::uuid, :tenant::uuid, 'tacticalrmm', now());",
    _alert("'c' || :n", "md5('t' || :n)::uuid", "md5('a' || :n)::uuid"),
    "INSERT INTO floor.ticket_comment (tenant, id, ticket_id, body, is_internal, is_system)"
    " VALUES (:tenant::uuid, gen_random_uuid(), md5('t' || :n)::uuid, 'Ticket created', true,"
    " true);",
    EVENT,
    DONE,
    "COMMIT;",
])  # fmt: skip

OCCURRENCE = "\n".join([
    "\\set n random(1, 999999999999999)",
    "\\set k random(1, :conditions)",
    "BEGIN;",
    INBOUND,
    "SELECT ticket_alert_id FROM floor.alert_lock WHERE tenant = :tenant::uuid AND integration_id ="
    " :integration::uuid AND lock_key = 'o' || :k FOR UPDATE;",
    "UPDATE floor.alert SET occurrence_count = occurrence_count + 1, last_occurrence_at = now()"
    " WHERE tenant = :tenant::uuid AND id = md5('oa' || :k)::uuid;",
    _alert("'o' || :k", "md5('ot' || :k)::uuid", "gen_random_uuid()"),
    "INSERT INTO floor.ticket_comment (tenant, id, ticket_id, body, is_internal, is_system)"
    " VALUES (:tenant::uuid, gen_random_uuid(), md5('ot' || :k)::uuid, 'Occurrence', true, true);",
    EVENT,
    DONE,
    "COMMIT;",
])  # fmt: skip


def prepare(url: str, conditions: int) -> dict[str, str]:
    """Copies of the tables, a ticket number sequence and `conditions` open conditions to
    append to."""
    tenant, integration = str(uuid.uuid4()), str(uuid.uuid4())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS floor CASCADE")
        conn.execute("CREATE SCHEMA floor")
        for table in TABLES:
            conn.execute(f'CREATE TABLE floor."{table}" (LIKE public."{table}" INCLUDING ALL)')
        conn.execute("CREATE SEQUENCE floor.ticket_number")
        for k in range(1, conditions + 1):
            seed = _alert("'o' || :k", "md5('ot' || :k)::uuid", "md5('oa' || :k)::uuid")
            conn.execute(_bind(seed, {"tenant": tenant, "integration": integration, "k": k,
                                      "n": k}))  # fmt: skip
            conn.execute(_bind(
                "INSERT INTO floor.alert_lock (tenant, id, integration_id, lock_key,"
                " ticket_alert_id) VALUES (:tenant::uuid, gen_random_uuid(), :integration::uuid,"
                " 'o' || :k, md5('oa' || :k)::uuid);",
                {"tenant": tenant, "integration": integration, "k": k},
            ))  # fmt: skip
    return {"tenant": tenant, "integration": integration, "conditions": str(conditions)}


def drop(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS floor CASCADE")


def _bind(script: str, values: dict[str, Any]) -> str:
    """pgbench's :name filled in as a quoted literal (values are ours: uuids and integers)."""
    return re.sub(
        r"(?<![:\w]):(\w+)",
        lambda m: f"'{values[m.group(1)]}'" if m.group(1) in values else m.group(0),
        script,
    )


def tool() -> str:
    return "pgbench" if shutil.which("pgbench") else "psycopg"


def run(url: str, script: str, variables: dict[str, str], clients: int, seconds: float) -> float:
    """Transactions per second of `script` at `clients` concurrent connections."""
    if tool() == "pgbench":
        return _pgbench(url, script, variables, clients, seconds)
    return _psycopg(url, script, variables, clients, seconds)


def _pgbench(
    url: str, script: str, variables: dict[str, str], clients: int, seconds: float
) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
    defines = [arg for k, v in variables.items() for arg in ("-D", f"{k}={v}")]
    command = ["pgbench", "-n", "-M", "extended", "-c", str(clients), "-j", str(min(clients, 4)),
               "-T", str(int(seconds)), "-f", handle.name, *defines, url]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    Path(handle.name).unlink()
    if done.returncode != 0:
        raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    out = done.stdout
    match = re.search(r"tps = ([0-9.]+)", out)
    if match is None:
        raise RuntimeError(f"pgbench printed no tps:\n{out}")
    return float(match.group(1))


def _psycopg(
    url: str, script: str, variables: dict[str, str], clients: int, seconds: float
) -> float:
    """The same transactions from threads (each with its own connection)."""
    lines = [line for line in script.splitlines() if line and not line.startswith("\\")]
    count, lock, deadline = [0], threading.Lock(), time.monotonic() + seconds

    def client(seed: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            n = seed * 10_000_000
            while time.monotonic() < deadline:
                n += 1
                k = 1 + n % int(variables.get("conditions", "1"))
                for line in lines:
                    conn.execute(_bind(line, {**variables, "n": n, "k": k}).encode())
                with lock:
                    count[0] += 1

    threads = [threading.Thread(target=client, args=(i + 1,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count[0] / (time.monotonic() - started)
