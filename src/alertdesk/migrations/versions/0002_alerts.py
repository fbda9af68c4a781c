"""alerts, rules, windows, integrations, event outbox

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from alertdesk.migrations.tables import create_tenant_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_tenant_table(
        "event",
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_event")),
    )
    op.create_index(
        "ix_event_tenant_type_created", "event", ["tenant", "type", "created_at"], unique=False
    )
    create_tenant_table(
        "integration",
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("instance_url", sa.String(length=500), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant"],
            ["tenant.tenant"],
            name=op.f("fk_integration_tenant_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_integration")),
        sa.UniqueConstraint("tenant", "provider", name=op.f("uq_integration_tenant_provider")),
    )
    create_tenant_table(
        "alert_rule",
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("priority_order", sa.Integer(), nullable=False),
        sa.Column("conditions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_alert_rule_tenant_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_alert_rule")),
    )
    op.create_index(
        "ix_alert_rule_tenant_integration",
        "alert_rule",
        ["tenant", "integration_id", "priority_order"],
        unique=False,
    )
    create_tenant_table(
        "org_mapping",
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("external_org_id", sa.String(length=200), nullable=False),
        sa.Column("external_org_name", sa.String(length=300), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("auto_create_tickets", sa.Boolean(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ["client.tenant", "client.id"],
            name=op.f("fk_org_mapping_tenant_client_id_client"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "integration_id"],
            ["integration.tenant", "integration.id"],
            name=op.f("fk_org_mapping_tenant_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_org_mapping")),
        sa.UniqueConstraint(
            "tenant",
            "integration_id",
            "external_org_id",
            name=op.f("uq_org_mapping_tenant_integration_id_external_org_id"),
        ),
    )
    create_tenant_table(
        "maintenance_window",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("integration_id", sa.Uuid(), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recurrence", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "asset_id"],
            ["asset.tenant", "asset.id"],
            name=op.f("fk_maintenance_window_tenant_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ["client.tenant", "client.id"],
            name=op.f("fk_maintenance_window_tenant_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "integration_id"],
            ["integration.tenant", "integration.id"],
            name=op.f("fk_maintenance_window_tenant_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_maintenance_window")),
    )
    op.create_index(
        "ix_maintenance_window_tenant_active",
        "maintenance_window",
        ["tenant", "is_active"],
        unique=False,
    )
    create_tenant_table(
        "alert",
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("external_alert_id", sa.String(length=255), nullable=False),
        sa.Column("external_alert_uid", sa.String(length=255), nullable=True),
        sa.Column("external_device_id", sa.String(length=255), nullable=True),
        sa.Column("external_org_id", sa.String(length=255), nullable=True),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("activity_type", sa.String(length=100), nullable=True),
        sa.Column("source_type", sa.String(length=100), nullable=True),
        sa.Column("alert_class", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("device_name", sa.String(length=255), nullable=True),
        sa.Column("dedup_key", sa.String(length=255), nullable=False),
        sa.Column("occurrence_count", sa.Integer(), nullable=False),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_occurrence_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=255), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("matched_rule_id", sa.Uuid(), nullable=True),
        sa.Column("suppressed_by_window_id", sa.Uuid(), nullable=True),
        sa.Column("auto_ticket_created", sa.Boolean(), nullable=False),
        sa.Column("ingest_source", sa.String(length=20), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("decision", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status in ('active', 'acknowledged', 'resolved', 'auto_resolved', 'suppressed')",
            name=op.f("ck_alert_status"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "asset_id"],
            ["asset.tenant", "asset.id"],
            name=op.f("fk_alert_tenant_asset_id_asset"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ["client.tenant", "client.id"],
            name=op.f("fk_alert_tenant_client_id_client"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "integration_id"],
            ["integration.tenant", "integration.id"],
            name=op.f("fk_alert_tenant_integration_id_integration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "ticket_id"],
            ["ticket.tenant", "ticket.id"],
            name=op.f("fk_alert_tenant_ticket_id_ticket"),
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_alert")),
        sa.UniqueConstraint(
            "tenant",
            "integration_id",
            "external_alert_id",
            name=op.f("uq_alert_tenant_integration_id_external_alert_id"),
        ),
    )
    op.create_index(
        "ix_alert_tenant_dedup", "alert", ["tenant", "integration_id", "dedup_key"], unique=False
    )
    op.create_index(
        "ix_alert_tenant_status", "alert", ["tenant", "status", "triggered_at"], unique=False
    )
    op.create_index("ix_alert_tenant_ticket", "alert", ["tenant", "ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alert_tenant_ticket", table_name="alert")
    op.drop_index("ix_alert_tenant_status", table_name="alert")
    op.drop_index("ix_alert_tenant_dedup", table_name="alert")
    op.drop_table("alert")
    op.drop_index("ix_maintenance_window_tenant_active", table_name="maintenance_window")
    op.drop_table("maintenance_window")
    op.drop_table("org_mapping")
    op.drop_index("ix_alert_rule_tenant_integration", table_name="alert_rule")
    op.drop_table("alert_rule")
    op.drop_table("integration")
    op.drop_index("ix_event_tenant_type_created", table_name="event")
    op.drop_table("event")
