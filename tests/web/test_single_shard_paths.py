"""Hot paths touch one tenant's shard: every statement of a webhook delivery (ticket-creating
trigger, repeat, reset), a UI login and an API call pins `tenant` for each sharded table it
reads or writes. On Citus such a statement is routed to one shard; checked here on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from alertdesk.storage.distribution import REFERENCE_TABLES
from alertdesk.storage.models import Base
from tests.conftest import TenantCtx
from tests.fakes.statements import statements
from tests.web.api_helpers import make_client
from tests.web.ui_support import login
from tests.web.webhook_support import Connected, add_rule, connect_ninja, deliver, payload

SHARDED = {t for t in Base.metadata.tables if t not in REFERENCE_TABLES}
NAME = r'"?[a-z_]+"?'
INSERT_COLUMNS = re.compile(r"(?i)(insert into \S+) \([^)]*\)")
TABLE_REF = re.compile(
    rf'(?:\bFROM|\bJOIN|\bUPDATE|\bINTO|,)\s+({NAME})(?:\s+AS\s+(\w+))?(?![.\w("])'
)


def unpinned(sql: str) -> list[str]:
    """The sharded tables (by alias) of a statement that no `tenant` condition pins to one
    tenant: directly (`t.tenant = %(p)s`, or `= $1` as the hot path sends it; an INSERT's
    tenant column) or by a join on tenant."""
    columns_dropped = INSERT_COLUMNS.sub(r"\1", sql)  # a column may be named like a table
    refs = {
        (alias or name): name.strip('"')
        for name, alias in TABLE_REF.findall(columns_dropped)
        if name.strip('"') in SHARDED
    }
    pinned = set()
    for ref in refs:
        column = re.escape(ref) + r"\.tenant"
        inserted = re.search(rf"INSERT INTO {re.escape(ref)} \([^)]*\btenant\b", sql)
        if inserted or re.search(rf"{column} (?:= |IN \()(?:%\(|\$\d)", sql):
            pinned.add(ref)
    joins = re.findall(rf"({NAME})\.tenant = ({NAME})\.tenant", sql)
    for _ in refs:  # the closure over `a.tenant = b.tenant`
        for left, right in joins:
            if left in pinned or right in pinned:
                pinned |= {left, right}
    return sorted(set(refs) - pinned)


PINNED = [
    "SELECT t.id FROM ticket AS t WHERE t.tenant = %(tenant_1)s::UUID",
    'SELECT "user".id FROM "user" WHERE "user".tenant = %(tenant_1)s::UUID AND "user".id = %(i)s',
    'SELECT a.id FROM api_token AS a JOIN "user" ON "user".tenant = a.tenant'
    ' AND "user".id = a.user_id WHERE a.tenant = %(tenant_1)s::UUID',
    "INSERT INTO alert (integration_id, tenant, id) VALUES (%(i)s, %(t)s, %(id)s)",
    "UPDATE alert SET status=%(s)s WHERE alert.tenant = %(alert_tenant)s::UUID",
    "UPDATE alert SET status=$2 WHERE alert.tenant = $1::UUID",
    "SELECT integration_route.tenant FROM integration_route WHERE integration_route.id = %(i)s",
    "SAVEPOINT sa_savepoint_1",
    "insert into procrastinate_jobs (queue_name, priority, args) values ('default', 0, %(a)s)",
]
UNPINNED = [
    (
        "SELECT integration.id FROM integration WHERE integration.id = %(id_1)s::UUID",
        ["integration"],
    ),
    ('SELECT "user".id FROM "user" WHERE "user".email = %(email_1)s', ['"user"']),
    (
        "SELECT a.id FROM alert AS a JOIN ticket ON ticket.id = a.ticket_id"
        " WHERE a.tenant = %(tenant_1)s::UUID",
        ["ticket"],
    ),
    ("SELECT a.id FROM alert AS a, ticket WHERE a.tenant = %(t)s", ["ticket"]),
    ("SELECT a.id FROM alert AS a WHERE a.tenant = tenant_of($1)", ["a"]),
    ("INSERT INTO event (type, payload) VALUES (%(type)s, %(payload)s)", ["event"]),
    ("DELETE FROM inbound_event WHERE inbound_event.received_at < %(cutoff)s", ["inbound_event"]),
    ("INSERT INTO ticket (priority, number) VALUES (%(p)s, %(n)s)", ["ticket"]),
]


@pytest.mark.parametrize("sql", PINNED)
def test_the_check_accepts_statements_pinned_to_a_tenant(sql: str) -> None:
    assert unpinned(sql) == []


@pytest.mark.parametrize(("sql", "tables"), UNPINNED)
def test_the_check_finds_statements_that_would_fan_out(sql: str, tables: list[str]) -> None:
    assert unpinned(sql) == tables


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Connected:
    make_client(client, tenant.headers, "KMSP Radio Station")  # auto-mapped: tickets open
    integration = connect_ninja(client, tenant.headers)
    add_rule(client, integration)
    return integration


def _trigger(client: TestClient, ninja: Connected, **changes: Any) -> None:
    response = deliver(client, ninja, payload("ninjaone", "condition_triggered.json", **changes))
    assert response.json()["outcome"] in {"ticket_created", "occurrence_appended"}, response.text


def _reset(client: TestClient, ninja: Connected) -> None:
    response = deliver(client, ninja, payload("ninjaone", "condition_reset.json"))
    assert response.json()["outcome"] == "resolved", response.text


def _repeat(client: TestClient, ninja: Connected, tenant: TenantCtx) -> None:
    _trigger(client, ninja, seriesUid="series-2", id=2)


def _trigger_then_reset(client: TestClient, ninja: Connected, tenant: TenantCtx) -> None:
    _trigger(client, ninja)
    _reset(client, ninja)


def _login(client: TestClient, ninja: Connected, tenant: TenantCtx) -> None:
    assert login(client, tenant.admin.email).status_code == 303


def _api_call(client: TestClient, ninja: Connected, tenant: TenantCtx) -> None:
    assert client.get("/api/v1/tickets", headers=tenant.headers).status_code == 200


PATHS: dict[str, Callable[[TestClient, Connected, TenantCtx], None]] = {
    "ticket-creating trigger": lambda client, ninja, tenant: _trigger(client, ninja),
    "repeat onto the open ticket": _repeat,
    "reset and auto-close": _trigger_then_reset,
    "UI login": _login,
    "API call with a token": _api_call,
}


@pytest.mark.parametrize("path", PATHS)
def test_every_statement_of_a_hot_path_is_pinned_to_its_tenant(
    client: TestClient, tenant: TenantCtx, ninja: Connected, connection: Connection, path: str
) -> None:
    if path.startswith("repeat"):
        _trigger(client, ninja)  # the open ticket the repeat joins
    with statements(connection) as seen:
        PATHS[path](client, ninja, tenant)
    touching = [sql for sql in seen if TABLE_REF.search(sql)]
    assert len(touching) >= 2
    assert {sql: unpinned(sql) for sql in touching if unpinned(sql)} == {}


def test_the_route_of_an_integration_is_read_once_per_process(
    client: TestClient, tenant: TenantCtx, ninja: Connected, connection: Connection
) -> None:
    """An integration never changes tenant: its route is remembered after the first delivery."""
    _trigger(client, ninja)
    with statements(connection) as seen:
        _repeat(client, ninja, tenant)
    assert [sql for sql in seen if "integration_route" in sql] == []
    assert any(sql.startswith("SELECT integration.") for sql in seen)  # the row itself: read
