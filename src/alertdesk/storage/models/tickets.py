"""Tickets and what hangs off them: comments, time entries, linked assets, change history."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base, TenantKeyed, tenant_fk

ACTOR_KINDS = ("user", "system")


class Ticket(TenantKeyed, Base):
    """A unit of work. `closed_at` is set exactly while the status is a closed one."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        tenant_fk(["client_id"], "client"),
        tenant_fk(["board_id"], "board"),
        tenant_fk(["status_id"], "ticket_status"),
        tenant_fk(["priority_id"], "priority"),
        tenant_fk(["category_id"], "category"),
        tenant_fk(["assigned_to"], "user"),
        tenant_fk(["closed_by_user_id"], "user"),
        CheckConstraint("closed_by_kind in ('user', 'system')", name="closed_by_kind"),
        Index("ix_ticket_tenant_open", "tenant", "closed_at", "updated_at"),
    )

    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    board_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    priority_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(50), default="manual")
    source_reference: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_kind: Mapped[str | None] = mapped_column(String(10))
    closed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TicketComment(TenantKeyed, Base):
    """Internal notes and public replies; system comments have no author."""

    __tablename__ = "ticket_comment"
    __table_args__ = (
        tenant_fk(["ticket_id"], "ticket", ondelete="CASCADE"),
        tenant_fk(["author_id"], "user"),
        Index("ix_ticket_comment_tenant_ticket", "tenant", "ticket_id", "created_at"),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    body: Mapped[str] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=True)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class TimeEntry(TenantKeyed, Base):
    __tablename__ = "time_entry"
    __table_args__ = (
        tenant_fk(["ticket_id"], "ticket", ondelete="CASCADE"),
        tenant_fk(["user_id"], "user"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        Index("ix_time_entry_tenant_ticket", "tenant", "ticket_id"),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class TicketAsset(Base):
    __tablename__ = "ticket_asset"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "ticket_id"], ["ticket.tenant", "ticket.id"], ondelete="CASCADE"
        ),
        tenant_fk(["asset_id"], "asset", ondelete="CASCADE"),
    )

    tenant: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class TicketHistory(TenantKeyed, Base):
    """One field change (status, priority, assignee) and who made it: a user or the system."""

    __tablename__ = "ticket_history"
    __table_args__ = (
        tenant_fk(["ticket_id"], "ticket", ondelete="CASCADE"),
        tenant_fk(["actor_user_id"], "user"),
        CheckConstraint("actor_kind in ('user', 'system')", name="actor_kind"),
        Index("ix_ticket_history_tenant_ticket", "tenant", "ticket_id", "created_at"),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
