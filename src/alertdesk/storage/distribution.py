"""Citus distribution: which tables are replicated and which are sharded by tenant, and how.

On plain PostgreSQL none of this runs. With the `citus` extension installed, every table
keyed by tenant is sharded by `tenant` and colocated with ANCHOR; REFERENCE_TABLES are copied
to every node. Procrastinate's job tables stay plain tables on the coordinator.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Small global lookups: replicated to every node, so resolving a tenant never fans out.
REFERENCE_TABLES = ("tenant", "integration_route", "email_route")
ANCHOR = "board"  # the first tenant table: every other one is colocated with it
LOCAL_TABLE_PREFIXES = ("alembic_", "procrastinate_")  # coordinator-only bookkeeping


def citus_installed(connection: Connection) -> bool:
    return bool(
        connection.scalar(text("select exists(select 1 from pg_extension where extname='citus')"))
    )


def is_distributed(connection: Connection, table: str) -> bool:
    """Whether Citus manages this table (sharded or reference); False without Citus."""
    return citus_installed(connection) and _managed(connection, table)


def _managed(connection: Connection, table: str) -> bool:
    """In Citus' catalog (ask only where the extension is installed)."""
    return bool(
        connection.scalar(
            text(
                "select exists(select 1 from pg_dist_partition"
                " where logicalrelid = to_regclass(quote_ident(:t)))"
            ),
            {"t": table},
        )
    )


def distributes_new_tables(connection: Connection) -> bool:
    """True where migrations must distribute what they create: Citus on a fresh or distributed
    schema. A plain schema on a Citus database waits for `alertdesk migrate --distribute`."""
    if not citus_installed(connection):
        return False
    fresh = connection.scalar(text("select to_regclass('tenant') is null"))
    return bool(fresh) or _managed(connection, "tenant")


def use_sequential_mode(connection: Connection) -> None:
    """DDL after a distributed table's creation must stay on one connection per node."""
    connection.execute(text("set local citus.multi_shard_modify_mode to 'sequential'"))


def distribute_reference(connection: Connection, table: str) -> None:
    connection.execute(text("select create_reference_table(:t)"), {"t": table})


def distribute_by_tenant(connection: Connection, table: str) -> None:
    colocate = "none" if table == ANCHOR else ANCHOR
    connection.execute(
        text("select create_distributed_table(:t, 'tenant', colocate_with => :c)"),
        {"t": table, "c": colocate},
    )


def undistributed_tables(connection: Connection) -> list[str]:
    """Our tables (not bookkeeping) that Citus does not manage yet, reference ones first."""
    names = connection.scalars(
        text(
            "select c.relname from pg_class c"
            " where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')"
            " and not exists (select 1 from pg_dist_partition p where p.logicalrelid = c.oid)"
        )
    ).all()
    ours = [n for n in names if not n.startswith(LOCAL_TABLE_PREFIXES)]
    return sorted(ours, key=lambda n: (n not in REFERENCE_TABLES, n != ANCHOR, n))


def distribute_existing(connection: Connection) -> list[str]:
    """Distribute a schema migrated on plain PostgreSQL, data included, in one transaction:
    drop the foreign keys, distribute (reference tables, the anchor, then the rest), re-add
    them. Returns the tables distributed; none when already done."""
    tables = undistributed_tables(connection)
    if not tables:
        return []
    use_sequential_mode(connection)
    foreign_keys = connection.execute(
        text(
            "select c.relname, k.conname, pg_get_constraintdef(k.oid)"
            " from pg_constraint k join pg_class c on c.oid = k.conrelid"
            " where k.contype = 'f' and c.relnamespace = 'public'::regnamespace"
            " and c.relname = any(:tables)"
        ),
        {"tables": tables},
    ).all()
    for table, name, _ in foreign_keys:
        connection.execute(text(f"alter table {quote(table)} drop constraint {quote(name)}"))
    for table in tables:
        if table in REFERENCE_TABLES:
            distribute_reference(connection, table)
        else:
            distribute_by_tenant(connection, table)
        connection.execute(
            text("select truncate_local_data_after_distributing_table(:t)"), {"t": table}
        )
    for table, name, definition in foreign_keys:
        connection.execute(
            text(f"alter table {quote(table)} add constraint {quote(name)} {definition}")
        )
    return tables


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
