"""Vendor integrations (one per tenant and provider) and their external-org → client mappings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKeyConstraint, String, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base, TenantKeyed, tenant_fk


class Integration(TenantKeyed, Base):
    __tablename__ = "integration"
    __table_args__ = (
        UniqueConstraint("tenant", "provider"),
        ForeignKeyConstraint(["tenant"], ["tenant.tenant"], ondelete="CASCADE"),
    )

    provider: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    instance_url: Mapped[str | None] = mapped_column(String(500))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class OrgMapping(TenantKeyed, Base):
    """A vendor organization and the client its alerts belong to (None: not mapped yet)."""

    __tablename__ = "org_mapping"
    __table_args__ = (
        UniqueConstraint("tenant", "integration_id", "external_org_id"),
        tenant_fk(["integration_id"], "integration", ondelete="CASCADE"),
        tenant_fk(["client_id"], "client"),
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    external_org_id: Mapped[str] = mapped_column(String(200))
    external_org_name: Mapped[str | None] = mapped_column(String(300))
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    auto_create_tickets: Mapped[bool] = mapped_column(Boolean, default=True)
    details: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict)
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
