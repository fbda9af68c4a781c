"""Tenants, users, API tokens and the per-tenant ticket number counter."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base, TenantKeyed, tenant_fk

ROLES = ("admin", "technician")


class Tenant(Base):
    """A customer of alertdesk (an MSP). Its key is the distribution column itself."""

    __tablename__ = "tenant"
    __table_args__ = (UniqueConstraint("name"),)

    tenant: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class User(TenantKeyed, Base):
    __tablename__ = "user"
    __table_args__ = (
        UniqueConstraint("tenant", "email"),
        CheckConstraint("role in ('admin', 'technician')", name="role"),
        ForeignKeyConstraint(["tenant"], ["tenant.tenant"], ondelete="CASCADE"),
    )

    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiToken(TenantKeyed, Base):
    """A bearer token: only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_token"
    __table_args__ = (
        UniqueConstraint("tenant", "token_hash"),
        tenant_fk(["user_id"], "user", ondelete="CASCADE"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(TenantKeyed, Base):
    """A UI sign-in; the cookie names it, so signing out revokes it on the server."""

    __tablename__ = "user_session"
    __table_args__ = (
        tenant_fk(["user_id"], "user", ondelete="CASCADE"),
        Index("ix_user_session_tenant_user", "tenant", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
