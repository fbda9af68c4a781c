"""integration credentials, inbound events, oauth state

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from alertdesk.migrations.tables import create_tenant_table

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_tenant_table(
        "inbound_event",
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("auth_method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_inbound_event_tenant_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_inbound_event")),
    )
    op.create_index(
        "ix_inbound_event_tenant_integration",
        "inbound_event",
        ["tenant", "integration_id", "received_at"],
        unique=False,
    )
    op.create_index(
        "ix_inbound_event_tenant_status", "inbound_event", ["tenant", "status"], unique=False
    )
    create_tenant_table(
        "oauth_state",
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_oauth_state_tenant_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "user_id"],
            ["user.tenant", "user.id"],
            name=op.f("fk_oauth_state_tenant_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_oauth_state")),
        sa.UniqueConstraint("tenant", "state_hash", name=op.f("uq_oauth_state_tenant_state_hash")),
    )
    op.add_column("integration", sa.Column("credentials_encrypted", sa.Text(), nullable=True))
    op.add_column("integration", sa.Column("webhook_secret_encrypted", sa.Text(), nullable=True))
    op.add_column(
        "integration",
        sa.Column("sync_status", sa.String(length=40), nullable=False, server_default="pending"),
    )
    op.add_column("integration", sa.Column("sync_error", sa.Text(), nullable=True))
    op.add_column(
        "integration", sa.Column("last_poll_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "integration", sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("integration", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("integration", "updated_at")
    op.drop_column("integration", "connected_at")
    op.drop_column("integration", "last_poll_at")
    op.drop_column("integration", "sync_error")
    op.drop_column("integration", "sync_status")
    op.drop_column("integration", "webhook_secret_encrypted")
    op.drop_column("integration", "credentials_encrypted")
    op.drop_table("oauth_state")
    op.drop_index("ix_inbound_event_tenant_status", table_name="inbound_event")
    op.drop_index("ix_inbound_event_tenant_integration", table_name="inbound_event")
    op.drop_table("inbound_event")
