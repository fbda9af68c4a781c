"""Vendor integrations (one per tenant and provider) and their external-org → client mappings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base, TenantKeyed, tenant_fk


class Integration(TenantKeyed, Base):
    """A vendor connection. Credentials and the webhook secret are stored encrypted (Fernet);
    disconnecting forgets them but keeps the row, so alerts and tickets keep their history."""

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
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    sync_status: Mapped[str] = mapped_column(String(40), default="pending")
    sync_error: Mapped[str | None] = mapped_column(Text)
    last_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # held while a reconciliation cycle runs (one at a time per integration; expires if it died)
    poll_lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # bumped by every rule or window change that applies to it: keys the pipeline's cache
    config_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


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


class InboundEvent(TenantKeyed, Base):
    """One authenticated webhook delivery, stored before it is processed (the ingest log and
    the retry inbox): status received → processed | ignored | rejected | failed."""

    __tablename__ = "inbound_event"
    __table_args__ = (
        tenant_fk(["integration_id"], "integration", ondelete="CASCADE"),
        Index("ix_inbound_event_tenant_integration", "tenant", "integration_id", "received_at"),
        Index("ix_inbound_event_tenant_status", "tenant", "status"),
        Index("ix_inbound_event_tenant_received", "tenant", "received_at"),  # retention
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    provider: Mapped[str] = mapped_column(String(50))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # up to 1 MiB: load on use
    content_type: Mapped[str | None] = mapped_column(String(200))
    auth_method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="received")
    outcome: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OAuthState(TenantKeyed, Base):
    """A pending OAuth authorization: single use, short-lived, bound to one admin's session."""

    __tablename__ = "oauth_state"
    __table_args__ = (
        UniqueConstraint("tenant", "state_hash"),
        tenant_fk(["integration_id"], "integration", ondelete="CASCADE"),
        tenant_fk(["user_id"], "user", ondelete="CASCADE"),
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    state_hash: Mapped[str] = mapped_column(String(64))
    session_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
