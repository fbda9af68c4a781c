"""user sessions: server-side UI sign-ins that sign-out revokes

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alertdesk.migrations.tables import create_tenant_table

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_tenant_table(
        "user_session",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_user_session_tenant_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_user_session")),
    )
    op.create_index(
        "ix_user_session_tenant_user", "user_session", ["tenant", "user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_user_session_tenant_user", table_name="user_session")
    op.drop_table("user_session")
