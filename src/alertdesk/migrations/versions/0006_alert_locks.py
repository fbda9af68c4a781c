"""alert locks: one lockable row per alert key, replacing advisory locks

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alertdesk.migrations.tables import create_tenant_table

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_tenant_table(
        "alert_lock",
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("lock_key", sa.Text(), nullable=False),
        sa.Column("ticket_alert_id", sa.Uuid(), nullable=True),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "integration_id"],
            ["integration.tenant", "integration.id"],
            name=op.f("fk_alert_lock_tenant_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_alert_lock")),
        sa.UniqueConstraint(
            "tenant",
            "integration_id",
            "lock_key",
            name=op.f("uq_alert_lock_tenant_integration_id_lock_key"),
        ),
    )


def downgrade() -> None:
    op.drop_table("alert_lock")
