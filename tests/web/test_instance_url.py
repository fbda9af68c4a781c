"""POST /api/v1/integrations: instance_url is scheme, host, port and path only; with
ALERTDESK_BLOCK_PRIVATE_VENDOR_ADDRESSES the app's own vendor client refuses non-public hosts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from alertdesk.app import create_app
from alertdesk.runtime import Runtime
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.testing.fakes import FakeVendors, serving
from tests.conftest import TenantCtx
from tests.web.integration_helpers import API, TACTICAL, assert_field, connect, count_integrations

PARTS = "Give only scheme, host, port and path: no spaces, user:password@, ?query or #fragment."
PORT = "The port must be a number from 1 to 65535."
EXAMPLE = "Give the vendor's address: http(s)://host[:port][/path], e.g. https://rmm.example.com"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://tactical.test/metrics?x=", PARTS),
        ("https://tactical.test?", PARTS),
        ("https://tactical.test/?", PARTS),
        ("https://tactical.test#", PARTS),
        ("https://tactical.test/#frag", PARTS),
        ("https://admin:pw@tactical.test", PARTS),
        ("https://@tactical.test", PARTS),
        ("https://tactical.test/a b", PARTS),
        ("https://tactical.test/a\tb", PARTS),
        ("https://tactical.test/\nHost: evil", PARTS),
        ("https://tactical.test/\x1b[31m", PARTS),
        ("https://tactical.test\\@evil.test", PARTS),
        ("https://tactical.test:0", PORT),
        ("https://tactical.test:65536", PORT),
        ("https://tactical.test:-1", PORT),
        ("https://tactical.test:http", PORT),
        ("https://tactical.test:\uff18\uff10", PORT),
        ("tactical.test", EXAMPLE),
        ("ftp://tactical.test", EXAMPLE),
        ("file:///etc/passwd", EXAMPLE),
        ("https://", EXAMPLE),
        ("https://tactical%2etest", EXAMPLE),
        ("http://[::1", EXAMPLE),
    ],
)
def test_rejected_urls_are_a_422_and_nothing_is_called(
    client: TestClient,
    session: Session,
    tenant: TenantCtx,
    vendors: FakeVendors,
    url: str,
    message: str,
) -> None:
    response = client.post(API, json=TACTICAL | {"instance_url": url}, headers=tenant.headers)
    assert_field(response, "instance_url")
    assert response.json()["detail"][0]["msg"] == message
    assert count_integrations(session, tenant.id) == 0
    assert vendors.tactical.requests == []


@pytest.mark.parametrize(
    ("url", "stored", "called"),
    [
        ("https://tactical.test", "https://tactical.test", "https://tactical.test/agents/"),
        ("HTTPS://Tactical.TEST/", "https://tactical.test", "https://tactical.test/agents/"),
        (
            "  https://tactical.test:443/  ",
            "https://tactical.test",
            "https://tactical.test/agents/",
        ),
        (
            "http://tactical.test:8080",
            "http://tactical.test:8080",
            "http://tactical.test:8080/agents/",
        ),
        ("https://tactical.test:", "https://tactical.test", "https://tactical.test/agents/"),
    ],
)
def test_accepted_urls_are_normalized_and_the_vendor_path_follows(
    client: TestClient, tenant: TenantCtx, vendors: FakeVendors, url: str, stored: str, called: str
) -> None:
    body = connect(client, tenant.headers, TACTICAL, instance_url=url)
    assert body["instance_url"] == stored
    assert str(vendors.tactical.requests[0].url).split("?")[0] == called


@contextmanager
def app_with(
    tmp_path: Path, engine: Engine, connection: Connection, **env: Any
) -> Iterator[TestClient]:
    """The real app with its own vendor client (no test transport), built from `env` settings."""
    settings = Settings(
        database_url="postgresql://unused", data_dir=tmp_path, secret_key="k" * 48, **env
    )
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    with TestClient(create_app(Runtime.build(settings, Database(engine, sessions)))) as test_client:
        yield test_client


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def connect_to(client: TestClient, tenant: TenantCtx, url: str) -> Any:
    return client.post(API, json=TACTICAL | {"instance_url": url}, headers=tenant.headers)


@pytest.mark.parametrize(
    ("host", "what"),
    [
        ("127.0.0.1", "127.0.0.1 is not a public address"),
        ("[::1]", "::1 is not a public address"),
        ("localhost", "localhost resolves to an address that is not public"),
    ],
)
def test_blocking_refuses_loopback_with_a_clear_502(
    tmp_path: Path,
    engine: Engine,
    connection: Connection,
    session: Session,
    tenant: TenantCtx,
    host: str,
    what: str,
) -> None:
    with app_with(tmp_path, engine, connection, block_private_vendor_addresses=True) as client:
        response = connect_to(client, tenant, f"http://{host}:{closed_port()}")
    assert response.status_code == 502, response.text
    assert response.json()["detail"] == (
        f"address not allowed for TacticalRMM: {what}"
        " (this server is set to call public addresses only)"
    )
    assert count_integrations(session, tenant.id) == 0


def test_without_blocking_a_closed_port_only_says_unreachable(
    tmp_path: Path, engine: Engine, connection: Connection, tenant: TenantCtx
) -> None:
    with app_with(tmp_path, engine, connection) as client:
        response = connect_to(client, tenant, f"http://127.0.0.1:{closed_port()}")
    assert response.status_code == 502, response.text
    assert response.json()["detail"] == "could not reach TacticalRMM at 127.0.0.1"


@pytest.mark.parametrize("allow", ["127.0.0.0/8", "10.0.0.0/8, 127.0.0.1", "localhost"])
def test_an_allowlisted_address_or_host_connects(
    tmp_path: Path,
    engine: Engine,
    connection: Connection,
    tenant: TenantCtx,
    vendors: FakeVendors,
    allow: str,
) -> None:
    host = "localhost" if allow == "localhost" else "127.0.0.1"
    env = {"block_private_vendor_addresses": True, "vendor_address_allowlist": allow}
    with serving(vendors.tactical) as base, app_with(tmp_path, engine, connection, **env) as client:
        url = base.replace("127.0.0.1", host)
        response = connect_to(client, tenant, url)
    assert response.status_code == 201, response.text
    assert response.json()["instance_url"] == url
    assert vendors.tactical.paths()[0] == "/agents/"
