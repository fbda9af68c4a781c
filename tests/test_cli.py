"""The command line against a real database: init, users, tokens, migrate, inbound prune,
embedded mode."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from alertdesk.cli import app
from alertdesk.services.accounts.auth import authenticate_token
from alertdesk.services.accounts.tenants import find_tenant
from alertdesk.storage.database import Database
from alertdesk.storage.models import InboundEvent
from tests.services.alerts.pipeline_fixtures import add_integration

runner = CliRunner()


@pytest.fixture
def env(make_database: Callable[[], str], tmp_path: Path) -> dict[str, str]:
    return {
        "ALERTDESK_DATABASE_URL": make_database(),
        "ALERTDESK_DATA_DIR": str(tmp_path),
        "ALERTDESK_SECRET_KEY": "s" * 48,
    }


def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def init(env: dict[str, str], tenant: str = "Acme MSP", email: str = "admin@acme.test") -> str:
    code, out = cli(
        env, "init", "--tenant", tenant, "--admin-email", email, "--admin-password", "pw-long-1"
    )
    assert code == 0, out
    return out.strip().splitlines()[-1]


def token_owner(env: dict[str, str], token: str) -> tuple[str, str]:
    database = Database.from_url(env["ALERTDESK_DATABASE_URL"])
    try:
        with database.transaction() as session:
            user = authenticate_token(session, token, datetime.now(UTC))
            return user.email, user.role
    finally:
        database.dispose()


def test_init_prints_a_working_admin_token_last(env: dict[str, str]) -> None:
    assert token_owner(env, init(env)) == ("admin@acme.test", "admin")


def test_init_twice_for_the_same_tenant_is_a_clear_error(env: dict[str, str]) -> None:
    init(env)
    code, out = cli(
        env, "init", "--tenant", "Acme MSP", "--admin-email", "x@acme.test",
        "--admin-password", "pw-long-1",
    )  # fmt: skip
    assert code == 1
    assert "already exists" in out


def test_init_adds_further_tenants(env: dict[str, str]) -> None:
    init(env, "First MSP", "a@first.test")
    assert token_owner(env, init(env, "Second MSP", "a@second.test"))[0] == "a@second.test"


def test_users_and_tokens(env: dict[str, str]) -> None:
    init(env)
    code, out = cli(
        env, "users", "create", "--tenant", "Acme MSP", "--email", "tech@acme.test",
        "--password", "pw-long-2", "--name", "Tess", "--role", "technician",
    )  # fmt: skip
    assert code == 0, out
    code, out = cli(env, "tokens", "create", "--email", "tech@acme.test", "--name", "laptop")
    assert code == 0, out
    assert token_owner(env, out.strip().splitlines()[-1]) == ("tech@acme.test", "technician")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "--tenant", "Nope", "--email", "a@b.c", "--password", "pw-long-3"],
         "No tenant named"),
        (["users", "create", "--tenant", "Acme MSP", "--email", "a@b.c", "--password", "short"],
         "at least 8"),
        (["users", "create", "--tenant", "Acme MSP", "--email", "a@b.c", "--password",
          "pw-long-3", "--role", "owner"], "Role must be one of"),
        (["tokens", "create", "--email", "ghost@acme.test"], "No user with email"),
    ],
)  # fmt: skip
def test_cli_errors_are_clear(env: dict[str, str], args: list[str], message: str) -> None:
    init(env)
    code, out = cli(env, *args)
    assert code == 1
    assert message in out


def test_token_for_an_email_in_two_tenants_needs_the_tenant(env: dict[str, str]) -> None:
    init(env, "First MSP", "same@msp.test")
    init(env, "Second MSP", "same@msp.test")
    code, out = cli(env, "tokens", "create", "--email", "same@msp.test")
    assert code == 1
    assert "--tenant" in out
    code, out = cli(env, "tokens", "create", "--email", "same@msp.test", "--tenant", "Second MSP")
    assert code == 0, out


def test_migrate_is_idempotent(env: dict[str, str]) -> None:
    assert cli(env, "migrate")[0] == 0
    code, out = cli(env, "migrate")
    assert code == 0
    assert "up to date" in out


def test_inbound_prune_removes_deliveries_past_the_retention_period(env: dict[str, str]) -> None:
    init(env)
    now = datetime.now(UTC)
    ages = {"processed": 11, "dead": 12, "failed": 40, "ignored": 9}
    database = Database.from_url(env["ALERTDESK_DATABASE_URL"])
    try:
        with database.transaction() as session:
            tenant = find_tenant(session, "Acme MSP")
            assert tenant is not None
            integration = add_integration(session, tenant.tenant)
            for status, days in ages.items():
                session.add(InboundEvent(
                    tenant=tenant.tenant, integration_id=integration.id, provider="ninjaone",
                    received_at=now - timedelta(days=days), body=b"{}", auth_method="header",
                    status=status, outcome={}, attempts=1,
                ))  # fmt: skip
        code, out = cli(env | {"ALERTDESK_INBOUND_RETENTION_DAYS": "10"}, "inbound", "prune")
        assert code == 0, out
        assert "removed 2 deliveries older than 10 days" in out
        with database.transaction() as session:
            kept = session.scalars(select(InboundEvent.status)).all()
        assert sorted(kept) == ["failed", "ignored"]
        assert "removed 0 deliveries older than 30 days" in cli(env, "inbound", "prune")[1]
    finally:
        database.dispose()


def test_embedded_postgres_starts_in_the_data_dir_and_stops_on_exit(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTDESK_")}
    env |= {"ALERTDESK_DATA_DIR": str(tmp_path), "ALERTDESK_SECRET_KEY": "s" * 48}
    command = [sys.executable, "-m", "alertdesk", "init", "--tenant", "Embedded MSP",
               "--admin-email", "e@msp.test", "--admin-password", "pw-long-1"]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("adk_")
    assert (tmp_path / "postgres" / "PG_VERSION").exists()
    assert not (tmp_path / "postgres" / "postmaster.pid").exists(), "server left running"


def test_jobs_shows_the_queue_with_retries_and_failures(env: dict[str, str]) -> None:
    init(env)
    database = Database.from_url(env["ALERTDESK_DATABASE_URL"])
    try:
        with database.engine.begin() as conn:
            conn.exec_driver_sql(
                "insert into procrastinate_jobs (queue_name, task_name, args, status, attempts)"
                " values ('default', 'reset_ticket_alerts', '{\"ticket_id\": \"t-1\"}', 'todo', 2),"
                " ('default', 'deliver_events', '{\"tenant\": \"x\"}', 'failed', 10)"
            )
    finally:
        database.dispose()
    code, out = cli(env, "jobs")
    assert code == 0, out
    assert "reset_ticket_alerts" in out
    assert "deliver_events" in out
    retrying, failed = out.split("retrying")[1].split("failed")[0], out.split("failed")[-1]
    assert "t-1" in retrying
    assert '"tenant": "x"' in failed


def test_worker_and_serve_say_how_jobs_run(env: dict[str, str]) -> None:
    code, out = cli(env, "worker", "--help")
    assert code == 0
    assert "--concurrency" in out
    assert "SIGTERM" in out
    code, out = cli(env, "serve", "--help")
    assert "--no-worker" in out


def test_several_web_processes_need_a_postgresql_server(tmp_path: Path) -> None:
    embedded = {"ALERTDESK_DATA_DIR": str(tmp_path), "ALERTDESK_SECRET_KEY": "s" * 48,
                "ALERTDESK_DATABASE_URL": ""}  # fmt: skip
    code, out = cli(embedded, "serve", "--workers", "2")
    assert code == 1
    assert "ALERTDESK_DATABASE_URL" in out
    assert "--workers" in cli(embedded, "serve", "--help")[1]


def test_one_process_per_host_takes_the_job_worker(tmp_path: Path) -> None:
    from alertdesk.app import worker_lock

    first = worker_lock(tmp_path)
    assert first is not None
    assert worker_lock(tmp_path) is None  # the lock is held (flock is per open file)
    first.close()
    again = worker_lock(tmp_path)
    assert again is not None
    again.close()
