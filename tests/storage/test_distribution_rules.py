"""Citus' rules, checked on plain PostgreSQL so CI catches a violation without a cluster: in the
migrated catalog every table but the reference ones carries `tenant` in its primary key, unique
constraints and indexes, and foreign keys; reference tables point only at reference tables; and
no migration creates a table except through the helper that distributes it."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from alertdesk.storage import distribution
from alertdesk.storage.distribution import REFERENCE_TABLES
from alertdesk.storage.migrate import awaiting_distribution

VERSIONS = Path(str(files("alertdesk") / "migrations" / "versions"))
HELPERS = {"create_tenant_table", "create_reference_table"}


@dataclass
class Keys:
    """A table's keys as the catalog has them: column lists, and each FK's target."""

    columns: set[str] = field(default_factory=set)
    primary: list[str] = field(default_factory=list)
    uniques: dict[str, list[str]] = field(default_factory=dict)
    foreign: dict[str, tuple[list[str], str, list[str]]] = field(default_factory=dict)


COLUMNS = "select attname from pg_attribute where attrelid = to_regclass(quote_ident(:t))"
CONSTRAINTS = """
select contype, conname,
  array(select a.attname from unnest(conkey) with ordinality k(n, i)
        join pg_attribute a on a.attrelid = conrelid and a.attnum = k.n order by k.i),
  confrelid::regclass::text,
  array(select a.attname from unnest(confkey) with ordinality k(n, i)
        join pg_attribute a on a.attrelid = confrelid and a.attnum = k.n order by k.i)
from pg_constraint where conrelid = to_regclass(quote_ident(:t)) and contype in ('p', 'u', 'f')
"""
UNIQUE_INDEXES = """
select i.relname,
  array(select a.attname from unnest(x.indkey::int2[]) with ordinality k(n, o)
        join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.n order by k.o)
from pg_index x join pg_class i on i.oid = x.indexrelid
where x.indrelid = to_regclass(quote_ident(:t)) and x.indisunique and not x.indisprimary
"""
TABLES = """
select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')
  and relname not like all(array['alembic%', 'procrastinate%'])
"""


def catalog(connection: Connection) -> dict[str, Keys]:
    found = {table: Keys() for table in connection.scalars(text(TABLES))}
    for table, keys in found.items():
        keys.columns = set(connection.scalars(text(COLUMNS), {"t": table}))
        for kind, name, columns, target, target_columns in connection.execute(
            text(CONSTRAINTS), {"t": table}
        ):
            if kind == "p":
                keys.primary = list(columns)
            elif kind == "u":
                keys.uniques[name] = list(columns)
            else:
                keys.foreign[name] = (list(columns), target.strip('"'), list(target_columns))
        for name, columns in connection.execute(text(UNIQUE_INDEXES), {"t": table}):
            keys.uniques.setdefault(name, list(columns))
    return found


def violations(tables: dict[str, Keys]) -> dict[str, list[str]]:
    """What Citus would refuse (or quietly get wrong), table by table."""
    problems: dict[str, list[str]] = {}
    for table, keys in tables.items():
        found: list[str] = []
        if table in REFERENCE_TABLES:
            found += [
                f"foreign key {name} points at sharded table {target}"
                for name, (_, target, _) in keys.foreign.items()
                if target not in REFERENCE_TABLES
            ]
        elif "tenant" not in keys.columns:
            found.append("no tenant column")
        else:
            if "tenant" not in keys.primary:
                found.append("primary key without tenant")
            found += [
                f"unique {name} without tenant"
                for name, columns in keys.uniques.items()
                if "tenant" not in columns
            ]
            for name, (columns, _, target_columns) in keys.foreign.items():
                pairs = set(zip(columns, target_columns, strict=True))
                if ("tenant", "tenant") not in pairs:
                    found.append(f"foreign key {name} does not match tenant to tenant")
        if found:
            problems[table] = found
    return problems


def test_every_table_of_the_migrated_schema_follows_citus_rules(connection: Connection) -> None:
    tables = catalog(connection)
    assert set(REFERENCE_TABLES) <= set(tables)
    assert len(tables) > len(REFERENCE_TABLES) + 20  # the catalog query did find the schema
    assert violations(tables) == {}


@pytest.fixture
def plain(connection: Connection) -> Connection:
    """The guards below are for plain PostgreSQL (CI); on a Citus cluster they do not apply."""
    if distribution.citus_installed(connection):
        pytest.skip("this database has Citus: the rules are enforced by Citus itself")
    return connection


def test_the_check_catches_each_kind_of_violation(plain: Connection) -> None:
    connection = plain
    connection.execute(
        text(
            "create table bad_no_tenant (id uuid primary key);"
            "create table bad_keys (tenant uuid, id uuid primary key, name text unique,"
            " other uuid references bad_no_tenant (id));"
            "create unique index bad_keys_name on bad_keys (lower(name));"
            "alter table integration_route add constraint bad_ref"
            " foreign key (tenant, integration_id) references integration (tenant, id)"
        )
    )
    problems = violations(catalog(connection))
    assert problems == {
        "bad_no_tenant": ["no tenant column"],
        "bad_keys": [
            "primary key without tenant",
            "unique bad_keys_name_key without tenant",
            "unique bad_keys_name without tenant",
            "foreign key bad_keys_other_fkey does not match tenant to tenant",
        ],
        "integration_route": ["foreign key bad_ref points at sharded table integration"],
    }


def creations(source: str) -> list[tuple[str, str]]:
    """(function called, table name) for every table this migration source creates."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        if name in HELPERS | {"create_table"}:
            first = node.args[0] if node.args else None
            found.append((name, str(first.value) if isinstance(first, ast.Constant) else "?"))
    return found


def test_migrations_create_tables_only_through_the_distributing_helper() -> None:
    created = [c for path in sorted(VERSIONS.glob("*.py")) for c in creations(path.read_text())]
    assert len(created) > 20
    assert [c for c in created if c[0] not in HELPERS] == []
    assert {table for helper, table in created if helper == "create_reference_table"} == set(
        REFERENCE_TABLES
    )


def test_a_raw_create_table_in_a_migration_would_be_caught() -> None:
    source = "from alembic import op\n\ndef upgrade():\n    op.create_table('sneaky')\n"
    assert creations(source) == [("create_table", "sneaky")]


@pytest.mark.parametrize("table", [distribution.ANCHOR, *REFERENCE_TABLES])
def test_the_anchor_and_reference_tables_exist(connection: Connection, table: str) -> None:
    assert table in catalog(connection)


def test_plain_postgresql_distributes_nothing(engine: Engine, plain: Connection) -> None:
    connection = plain
    assert distribution.citus_installed(connection) is False
    assert distribution.distributes_new_tables(connection) is False
    assert distribution.is_distributed(connection, "tenant") is False
    assert awaiting_distribution(engine) == []


def test_migrate_distribute_explains_that_citus_is_missing(
    engine: Engine, plain: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alertdesk.cli import app

    monkeypatch.setenv("ALERTDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(app, ["migrate", "--distribute"])
    assert result.exit_code == 1, result.output
    assert "citus extension is not installed" in result.output
