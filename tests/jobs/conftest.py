"""A committed database of its own, the web app over it with fake vendors, and a way to run
a real Procrastinate worker until no job is due: the background jobs really run."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from alertdesk.app import create_app
from alertdesk.jobs.app import build_job_app
from alertdesk.jobs.outbox_listener import queue_undelivered
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.auth import issue_token
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.testing.fakes import FakeVendors
from tests.web.api_helpers import make_client
from tests.web.webhook_support import Connected, add_rule


@dataclass
class Stack:
    runtime: Runtime
    vendors: FakeVendors
    client: TestClient

    def work(self) -> None:
        """Run a worker until no job is due; the events published meanwhile are queued as the
        worker's outbox listener queues them when it connects (tests/jobs/
        test_outbox_listener.py; connected, it delivers what it is notified of itself). The cron
        periodics stay off: one falling due mid-test (a reconciliation poll against the fake
        vendors, every minute) would change what the test sees; tests run them by name."""
        for _ in range(5):  # delivering events can publish more (a workflow opens a ticket)
            queued = queue_undelivered(self.runtime)
            app = build_job_app(self.runtime)
            app.periodic_registry.periodic_tasks.clear()
            app.run_worker(wait=False, install_signal_handlers=False)
            if not queued:
                return

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.runtime.database.engine.begin() as conn:
            result = conn.execute(text(query), params)
            return list(result) if result.returns_rows else []


@contextmanager
def running_stack(url: str, folder: Path, **settings: Any) -> Iterator[Stack]:
    """The web app and job app over a migrated database, with `settings` overrides."""
    config = Settings(database_url=url, data_dir=folder, secret_key="k" * 48, **settings)
    database = Database.from_url(url)
    upgrade(database.engine)
    vendors = FakeVendors()
    runtime = Runtime.build(config, database, http=vendors.client())
    try:
        with TestClient(create_app(runtime)) as client:
            yield Stack(runtime, vendors, client)
    finally:
        runtime.close()


@pytest.fixture(scope="module")
def stack(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with running_stack(make_database(), tmp_path_factory.mktemp("jobs")) as running:
        yield running


@dataclass
class Msp:
    tenant: uuid.UUID
    headers: dict[str, str]
    integration: Connected


def new_msp(
    stack: Stack, connect: Callable[[TestClient, dict[str, str]], Connected], **rule: Any
) -> Msp:
    with stack.runtime.database.transaction() as session:
        tenant, admin = create_tenant(
            session, f"MSP {uuid.uuid4().hex[:6]}", "a@example.com", "x" * 12
        )
        token = issue_token(session, admin, "test", datetime.now(UTC)).secret
    headers = {"Authorization": f"Bearer {token}"}
    make_client(stack.client, headers, "KMSP Radio Station")  # NinjaOne org 2, auto-mapped
    make_client(stack.client, headers, "Acme Dental")  # Tactical client 3
    integration = connect(stack.client, headers)
    add_rule(stack.client, integration, **rule)
    return Msp(tenant.tenant, headers, integration)
