"""tenant routes: integration id and login email → tenant, as reference tables

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alertdesk.migrations.tables import create_reference_table

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_reference_table(
        "integration_route",
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"],
            ["tenant.tenant"],
            name=op.f("fk_integration_route_tenant_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("integration_id", name=op.f("pk_integration_route")),
    )
    create_reference_table(
        "email_route",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("tenant", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"],
            ["tenant.tenant"],
            name=op.f("fk_email_route_tenant_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("email", "tenant", name=op.f("pk_email_route")),
    )
    op.execute(
        "insert into integration_route (integration_id, tenant) select id, tenant from integration"
    )
    op.execute('insert into email_route (email, tenant) select email, tenant from "user"')


def downgrade() -> None:
    op.drop_table("email_route")
    op.drop_table("integration_route")
