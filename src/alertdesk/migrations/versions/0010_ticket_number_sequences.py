"""ticket numbers from one PostgreSQL sequence per tenant (no row lock held to commit), and
the integration's config version that keys the compiled rules and windows of the pipeline

Revision ID: 0010
Revises: 0009
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alertdesk.migrations.tables import create_tenant_table

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sequence(tenant: uuid.UUID) -> str:
    return f"ticket_number_{tenant.hex}"  # as alertdesk.storage.ticket_numbers names it


def upgrade() -> None:
    op.add_column(
        "integration",
        sa.Column("config_version", sa.BigInteger(), server_default="0", nullable=False),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.text("select tenant, last_number from ticket_sequence")).all()
    for tenant, last_number in rows:
        op.execute(f"create sequence {_sequence(tenant)} minvalue 1 start with {last_number + 1}")
    op.drop_table("ticket_sequence")


def downgrade() -> None:
    create_tenant_table(
        "ticket_sequence",
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("last_number", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.tenant"], name=op.f("fk_ticket_sequence_tenant_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_ticket_sequence")),
    )  # fmt: skip
    connection = op.get_bind()
    for (tenant,) in connection.execute(sa.text("select tenant from tenant")).all():
        name = _sequence(tenant)  # a uuid's hex digits: nothing to escape
        exists = connection.scalar(sa.text("select to_regclass(:n)"), {"n": name})
        read = sa.text(f"select last_value - (not is_called)::int from {name}")  # noqa: S608
        last = connection.scalar(read) if exists else 0
        connection.execute(
            sa.text("insert into ticket_sequence (tenant, last_number) values (:t, :n)"),
            {"t": tenant, "n": last},
        )
        op.execute(f"drop sequence if exists {name}")
    op.drop_column("integration", "config_version")
