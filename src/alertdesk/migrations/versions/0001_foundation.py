"""foundation: tenants, users, tokens, ticketing core

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alertdesk.migrations.tables import create_reference_table, create_tenant_table

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_reference_table(
        "tenant",
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_tenant")),
        sa.UniqueConstraint("name", name=op.f("uq_tenant_name")),
    )
    create_tenant_table(
        "board",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.tenant"], name=op.f("fk_board_tenant_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_board")),
        sa.UniqueConstraint("tenant", "name", name=op.f("uq_board_tenant_name")),
    )
    op.create_index(
        "uq_board_tenant_default",
        "board",
        ["tenant"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    create_tenant_table(
        "category",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
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
            name=op.f("fk_category_tenant_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_category")),
        sa.UniqueConstraint("tenant", "name", name=op.f("uq_category_tenant_name")),
    )
    create_tenant_table(
        "client",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.tenant"], name=op.f("fk_client_tenant_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_client")),
    )
    op.create_index(
        "uq_client_tenant_lower_name",
        "client",
        ["tenant", sa.literal_column("lower(name)")],
        unique=True,
    )
    create_tenant_table(
        "priority",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("color", sa.String(length=20), nullable=True),
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
            name=op.f("fk_priority_tenant_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_priority")),
        sa.UniqueConstraint("tenant", "name", name=op.f("uq_priority_tenant_name")),
    )
    op.create_index(
        "uq_priority_tenant_default",
        "priority",
        ["tenant"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    create_tenant_table(
        "ticket_sequence",
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("last_number", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"],
            ["tenant.tenant"],
            name=op.f("fk_ticket_sequence_tenant_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_ticket_sequence")),
    )
    create_tenant_table(
        "user",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("role in ('admin', 'technician')", name=op.f("ck_user_role")),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenant.tenant"], name=op.f("fk_user_tenant_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_user")),
        sa.UniqueConstraint("tenant", "email", name=op.f("uq_user_tenant_email")),
    )
    create_tenant_table(
        "api_token",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "user_id"],
            ["user.tenant", "user.id"],
            name=op.f("fk_api_token_tenant_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("tenant", "token_hash", name=op.f("uq_api_token_tenant_token_hash")),
    )
    create_tenant_table(
        "asset",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("serial_number", sa.String(length=200), nullable=True),
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
            name=op.f("fk_asset_tenant_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_asset")),
    )
    create_tenant_table(
        "ticket_status",
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "board_id"],
            ["board.tenant", "board.id"],
            name=op.f("fk_ticket_status_tenant_board_id_board"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_ticket_status")),
        sa.UniqueConstraint(
            "tenant", "board_id", "name", name=op.f("uq_ticket_status_tenant_board_id_name")
        ),
    )
    op.create_index(
        "uq_ticket_status_tenant_board_default",
        "ticket_status",
        ["tenant", "board_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    create_tenant_table(
        "asset_external_ref",
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
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
            name=op.f("fk_asset_external_ref_tenant_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_asset_external_ref")),
        sa.UniqueConstraint(
            "tenant",
            "provider",
            "external_id",
            name=op.f("uq_asset_external_ref_tenant_provider_external_id"),
        ),
    )
    create_tenant_table(
        "ticket",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("status_id", sa.Uuid(), nullable=False),
        sa.Column("priority_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_to", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("source_reference", sa.String(length=500), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_kind", sa.String(length=10), nullable=True),
        sa.Column("closed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "closed_by_kind in ('user', 'system')", name=op.f("ck_ticket_closed_by_kind")
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "assigned_to"],
            ["user.tenant", "user.id"],
            name=op.f("fk_ticket_tenant_assigned_to_user"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "board_id"],
            ["board.tenant", "board.id"],
            name=op.f("fk_ticket_tenant_board_id_board"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "category_id"],
            ["category.tenant", "category.id"],
            name=op.f("fk_ticket_tenant_category_id_category"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ["client.tenant", "client.id"],
            name=op.f("fk_ticket_tenant_client_id_client"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "closed_by_user_id"],
            ["user.tenant", "user.id"],
            name=op.f("fk_ticket_tenant_closed_by_user_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "priority_id"],
            ["priority.tenant", "priority.id"],
            name=op.f("fk_ticket_tenant_priority_id_priority"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "status_id"],
            ["ticket_status.tenant", "ticket_status.id"],
            name=op.f("fk_ticket_tenant_status_id_ticket_status"),
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_ticket")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_ticket_tenant_number")),
    )
    op.create_index(
        "ix_ticket_tenant_open", "ticket", ["tenant", "closed_at", "updated_at"], unique=False
    )
    create_tenant_table(
        "ticket_asset",
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "asset_id"],
            ["asset.tenant", "asset.id"],
            name=op.f("fk_ticket_asset_tenant_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "ticket_id"],
            ["ticket.tenant", "ticket.id"],
            name=op.f("fk_ticket_asset_tenant_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "ticket_id", "asset_id", name=op.f("pk_ticket_asset")),
    )
    create_tenant_table(
        "ticket_comment",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_internal", sa.Boolean(), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "author_id"],
            ["user.tenant", "user.id"],
            name=op.f("fk_ticket_comment_tenant_author_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "ticket_id"],
            ["ticket.tenant", "ticket.id"],
            name=op.f("fk_ticket_comment_tenant_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_ticket_comment")),
    )
    op.create_index(
        "ix_ticket_comment_tenant_ticket",
        "ticket_comment",
        ["tenant", "ticket_id", "created_at"],
        unique=False,
    )
    create_tenant_table(
        "ticket_history",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("old_value", sa.String(length=200), nullable=True),
        sa.Column("new_value", sa.String(length=200), nullable=True),
        sa.Column("actor_kind", sa.String(length=10), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "actor_kind in ('user', 'system')", name=op.f("ck_ticket_history_actor_kind")
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "actor_user_id"],
            ["user.tenant", "user.id"],
            name=op.f("fk_ticket_history_tenant_actor_user_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "ticket_id"],
            ["ticket.tenant", "ticket.id"],
            name=op.f("fk_ticket_history_tenant_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_ticket_history")),
    )
    op.create_index(
        "ix_ticket_history_tenant_ticket",
        "ticket_history",
        ["tenant", "ticket_id", "created_at"],
        unique=False,
    )
    create_tenant_table(
        "time_entry",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_time_entry_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["tenant", "ticket_id"],
            ["ticket.tenant", "ticket.id"],
            name=op.f("fk_time_entry_tenant_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "user_id"],
            ["user.tenant", "user.id"],
            name=op.f("fk_time_entry_tenant_user_id_user"),
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_time_entry")),
    )
    op.create_index(
        "ix_time_entry_tenant_ticket", "time_entry", ["tenant", "ticket_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_time_entry_tenant_ticket", table_name="time_entry")
    op.drop_table("time_entry")
    op.drop_index("ix_ticket_history_tenant_ticket", table_name="ticket_history")
    op.drop_table("ticket_history")
    op.drop_index("ix_ticket_comment_tenant_ticket", table_name="ticket_comment")
    op.drop_table("ticket_comment")
    op.drop_table("ticket_asset")
    op.drop_index("ix_ticket_tenant_open", table_name="ticket")
    op.drop_table("ticket")
    op.drop_table("asset_external_ref")
    op.drop_index(
        "uq_ticket_status_tenant_board_default",
        table_name="ticket_status",
        postgresql_where=sa.text("is_default"),
    )
    op.drop_table("ticket_status")
    op.drop_table("asset")
    op.drop_table("api_token")
    op.drop_table("user")
    op.drop_table("ticket_sequence")
    op.drop_index(
        "uq_priority_tenant_default", table_name="priority", postgresql_where=sa.text("is_default")
    )
    op.drop_table("priority")
    op.drop_index("uq_client_tenant_lower_name", table_name="client")
    op.drop_table("client")
    op.drop_table("category")
    op.drop_index(
        "uq_board_tenant_default", table_name="board", postgresql_where=sa.text("is_default")
    )
    op.drop_table("board")
    op.drop_table("tenant")
