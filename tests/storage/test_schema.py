"""The schema is Citus-ready (tenant leads every key) and the migrations match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, ForeignKeyConstraint, Index, Table, UniqueConstraint

from alertdesk.migrations.tables import ours
from alertdesk.storage.distribution import REFERENCE_TABLES
from alertdesk.storage.models import Base

TABLES = sorted(Base.metadata.tables.values(), key=lambda t: t.name)


def _leading_column(columns: list[object]) -> str | None:
    first = columns[0] if columns else None
    return first.name if isinstance(first, Column) else None


def _key_violations(table: Table) -> list[str]:
    problems: list[str] = []
    if table.name in REFERENCE_TABLES:  # global lookups: keyed by what they look up
        return problems
    if _leading_column(list(table.primary_key.columns)) != "tenant":
        problems.append("primary key")
    for fk in (c for c in table.constraints if isinstance(c, ForeignKeyConstraint)):
        if fk.column_keys[0] != "tenant" or fk.elements[0].column.name != "tenant":
            problems.append(f"foreign key {fk.name}")
    for unique in (c for c in table.constraints if isinstance(c, UniqueConstraint)):
        if _leading_column(list(unique.columns)) != "tenant":
            problems.append(f"unique constraint {unique.name}")
    for index in table.indexes:
        if _leading_column(list(index.expressions)) != "tenant":
            problems.append(f"index {index.name}")
    return problems


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_key_starts_with_tenant(table: Table) -> None:
    assert _key_violations(table) == []


def test_the_check_catches_a_key_without_tenant() -> None:
    from sqlalchemy import MetaData, String, Uuid

    bad = Table(
        "bad",
        MetaData(),
        Column("id", Uuid, primary_key=True),
        Column("tenant", Uuid),
        Column("name", String),
        UniqueConstraint("name"),
        Index("ix_bad_name", "name"),
    )
    assert _key_violations(bad) == ["primary key", "unique constraint None", "index ix_bad_name"]


def test_migrations_match_the_models(connection: Connection) -> None:
    opts = {"compare_type": True, "include_name": ours}
    context = MigrationContext.configure(connection, opts=opts)
    assert compare_metadata(context, Base.metadata) == []
