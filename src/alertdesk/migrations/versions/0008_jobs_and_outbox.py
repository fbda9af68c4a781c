"""jobs and outbox: Procrastinate's job tables, event deliveries, alert outbound status,
an index for pruning deliveries per tenant, the poll lease

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

from alertdesk.migrations.tables import create_tenant_table

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the job queue's own schema (procrastinate 3.10); plain tables, on the Citus coordinator
    op.get_bind().exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
    op.add_column("event", sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("update event set delivered_at = created_at")  # before any consumer existed
    op.create_index(
        "ix_event_tenant_undelivered",
        "event",
        ["tenant", "created_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at is null"),
    )
    create_tenant_table(
        "event_delivery",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("consumer", sa.String(length=50), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "event_id"],
            ["event.tenant", "event.id"],
            name=op.f("fk_event_delivery_tenant_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_event_delivery")),
        sa.UniqueConstraint(
            "tenant",
            "event_id",
            "consumer",
            name=op.f("uq_event_delivery_tenant_event_id_consumer"),
        ),
    )
    op.create_index(
        "ix_inbound_event_tenant_received", "inbound_event", ["tenant", "received_at"], unique=False
    )
    op.add_column(
        "integration", sa.Column("poll_lease_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("alert", sa.Column("outbound_status", sa.String(length=20), nullable=True))
    op.add_column("alert", sa.Column("outbound_error", sa.Text(), nullable=True))
    op.add_column("alert", sa.Column("outbound_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_inbound_event_tenant_received", table_name="inbound_event")
    op.drop_column("integration", "poll_lease_until")
    op.drop_column("alert", "outbound_at")
    op.drop_column("alert", "outbound_error")
    op.drop_column("alert", "outbound_status")
    op.drop_table("event_delivery")
    op.drop_index("ix_event_tenant_undelivered", table_name="event")
    op.drop_column("event", "delivered_at")
    op.execute(
        "do $$ declare f record; begin"
        " for f in select oid::regprocedure as sig from pg_proc where proname like 'procrastinate%'"
        " loop execute 'drop function if exists ' || f.sig || ' cascade'; end loop; end $$"
    )
    op.execute(
        "drop table if exists procrastinate_events, procrastinate_periodic_defers,"
        " procrastinate_jobs, procrastinate_workers cascade"
    )
    op.execute(
        "drop type if exists procrastinate_job_status, procrastinate_job_event_type,"
        " procrastinate_job_to_defer_v1 cascade"
    )
