"""workflows and their runs, notifications and their preferences, the email outbox

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from alertdesk.migrations.tables import create_tenant_table

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f(f"pk_{table}")),
    ]  # fmt: skip


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant", "user_id"], ["user.tenant", "user.id"],
        name=op.f(f"fk_{table}_tenant_user_id_user"), ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    create_tenant_table(
        "workflow",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("filter", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("steps", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        *_key("workflow"),
    )
    op.create_index("ix_workflow_tenant_trigger", "workflow", ["tenant", "trigger"])
    create_tenant_table(
        "workflow_run",
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("steps", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *_key("workflow_run"),
        sa.CheckConstraint(
            "status in ('pending', 'running', 'succeeded', 'failed', 'skipped')",
            name=op.f("ck_workflow_run_status"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "workflow_id"], ["workflow.tenant", "workflow.id"],
            name=op.f("fk_workflow_run_tenant_workflow_id_workflow"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "event_id"], ["event.tenant", "event.id"],
            name=op.f("fk_workflow_run_tenant_event_id_event"), ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant", "workflow_id", "event_id",
            name=op.f("uq_workflow_run_tenant_workflow_id_event_id"),
        ),
    )  # fmt: skip
    op.create_index(
        "ix_workflow_run_tenant_workflow_started",
        "workflow_run",
        ["tenant", "workflow_id", "started_at"],
    )
    create_tenant_table(
        "notification",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        *_key("notification"),
        _user_fk("notification"),
    )
    op.create_index(
        "ix_notification_tenant_user_created", "notification", ["tenant", "user_id", "created_at"]
    )
    create_tenant_table(
        "notification_preference",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        *_key("notification_preference"),
        _user_fk("notification_preference"),
        sa.UniqueConstraint(
            "tenant", "user_id", "category",
            name=op.f("uq_notification_preference_tenant_user_id_category"),
        ),
    )  # fmt: skip
    create_tenant_table(
        "email_message",
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        *_key("email_message"),
        sa.CheckConstraint(
            "status in ('pending', 'sent', 'failed', 'kept')", name=op.f("ck_email_message_status")
        ),
    )
    op.create_index("ix_email_message_tenant_created", "email_message", ["tenant", "created_at"])


def downgrade() -> None:
    for table in ("email_message", "notification_preference", "notification", "workflow_run",
                  "workflow"):  # fmt: skip
        op.drop_table(table)
