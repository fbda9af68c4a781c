"""The only way a migration creates a table: on Citus it is distributed before its foreign
keys are added (Citus refuses the other order); on plain PostgreSQL the result is the same
table. tests/storage/test_distribution_rules.py fails on an `op.create_table` anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from alertdesk.storage import distribution


def ours(name: str | None, type_: str, _parent: object) -> bool:
    """Autogenerate compares our tables only: the job queue's are its own (migration 0008)."""
    return not (type_ == "table" and (name or "").startswith(distribution.LOCAL_TABLE_PREFIXES))


def create_tenant_table(name: str, *elements: sa.schema.SchemaItem) -> None:
    """A table keyed (tenant, …): sharded by tenant on Citus, colocated with the anchor."""
    _create(name, elements, distribution.distribute_by_tenant)


def create_reference_table(name: str, *elements: sa.schema.SchemaItem) -> None:
    """A small global lookup: replicated to every Citus node."""
    _create(name, elements, distribution.distribute_reference)


def _create(
    name: str,
    elements: tuple[sa.schema.SchemaItem, ...],
    distribute: Callable[[sa.Connection, str], None],
) -> None:
    connection = op.get_bind()
    distributed = distribution.distributes_new_tables(connection)  # asked before `tenant` exists
    foreign_keys = [e for e in elements if isinstance(e, sa.ForeignKeyConstraint)]
    op.create_table(name, *(e for e in elements if not isinstance(e, sa.ForeignKeyConstraint)))
    if distributed:
        distribute(connection, name)
    for fk in foreign_keys:
        targets = [element.target_fullname.split(".") for element in fk.elements]
        op.create_foreign_key(
            str(fk.name),
            name,
            targets[0][0],
            list(fk.column_keys),
            [column for _, column in targets],
            ondelete=fk.ondelete,
            onupdate=fk.onupdate,
        )
