"""Reference tables that resolve a tenant from a global key (a webhook's integration id, a
login email) in one lookup: replicated to every Citus node, so neither fans out to shards."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKeyConstraint, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base


class IntegrationRoute(Base):
    """The tenant owning an integration id (the webhook URL carries only the id)."""

    __tablename__ = "integration_route"
    __table_args__ = (ForeignKeyConstraint(["tenant"], ["tenant.tenant"], ondelete="CASCADE"),)

    integration_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tenant: Mapped[uuid.UUID] = mapped_column(Uuid)


class EmailRoute(Base):
    """The tenants having a user with this (normalized) email: login asks here first."""

    __tablename__ = "email_route"
    __table_args__ = (ForeignKeyConstraint(["tenant"], ["tenant.tenant"], ondelete="CASCADE"),)

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    tenant: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
