"""Shared fixtures: a real PostgreSQL database per run, a rolled-back transaction per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from alertdesk.app import create_app
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.auth import issue_token
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.accounts.users import create_user
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.embedded import sqlalchemy_url
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Tenant, User
from alertdesk.testing.fakes import FakeVendors

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """ALERTDESK_TEST_DATABASE_URL when set, else an embedded server for this run."""
    configured = os.environ.get("ALERTDESK_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator[Callable[[], str]]:
    """Creates fresh, uniquely named databases on the server; drops them after the run."""
    created: list[str] = []

    def make() -> str:
        name = f"alertdesk_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        created.append(name)
        base, _, query = server_url.partition("?")
        url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
        return sqlalchemy_url(url)

    yield make
    with psycopg.connect(server_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def engine(make_database: Callable[[], str]) -> Iterator[Engine]:
    engine = create_engine(make_database())
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One outer transaction per test, rolled back at the end: tests never see each other."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url="postgresql://unused", data_dir=tmp_path, secret_key="k" * 48)


@pytest.fixture
def vendors() -> FakeVendors:
    """Fake vendor APIs behind https://ninja.test and https://tactical.test."""
    return FakeVendors()


@pytest.fixture
def client(
    settings: Settings, engine: Engine, connection: Connection, vendors: FakeVendors
) -> Iterator[TestClient]:
    """The real app, its request transactions nested inside the test's transaction."""
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app = create_app(Runtime.build(settings, Database(engine, sessions), http=vendors.client()))
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class TenantCtx:
    tenant: Tenant
    admin: User
    token: str

    @property
    def id(self) -> uuid.UUID:
        return self.tenant.tenant

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_tenant(session: Session) -> Callable[..., TenantCtx]:
    def make(name: str | None = None, email: str | None = None) -> TenantCtx:
        name = name or f"MSP {uuid.uuid4().hex[:6]}"
        email = email or f"admin-{uuid.uuid4().hex[:6]}@example.com"
        tenant, admin = create_tenant(session, name, email, PASSWORD)
        token = issue_token(session, admin, "test", datetime.now(UTC)).secret
        session.flush()
        return TenantCtx(tenant, admin, token)

    return make


@pytest.fixture
def tenant(make_tenant: Callable[..., TenantCtx]) -> TenantCtx:
    return make_tenant()


@pytest.fixture
def technician(session: Session, tenant: TenantCtx) -> tuple[User, dict[str, str]]:
    user = create_user(
        session,
        tenant.id,
        email=f"tech-{uuid.uuid4().hex[:6]}@example.com",
        password=PASSWORD,
        name="Terry Tech",
        role="technician",
    )
    token = issue_token(session, user, "test", datetime.now(UTC)).secret
    return user, {"Authorization": f"Bearer {token}"}
