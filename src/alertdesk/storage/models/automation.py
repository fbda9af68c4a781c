"""Workflows and their runs; notifications, their preferences and the email outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base, TenantKeyed, tenant_fk

RUN_STATUSES = ("pending", "running", "succeeded", "failed", "skipped")
EMAIL_STATUSES = ("pending", "sent", "failed", "kept")


class Workflow(TenantKeyed, Base):
    """On an event of `trigger` whose payload passes `filter`, run `steps` in order."""

    __tablename__ = "workflow"
    __table_args__ = (Index("ix_workflow_tenant_trigger", "tenant", "trigger"),)

    name: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    trigger: Mapped[str] = mapped_column(String(100))
    filter: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkflowRun(TenantKeyed, Base):
    """One workflow run for one event: unique, so a redelivered event runs nothing twice."""

    __tablename__ = "workflow_run"
    __table_args__ = (
        UniqueConstraint("tenant", "workflow_id", "event_id"),
        tenant_fk(["workflow_id"], "workflow", ondelete="CASCADE"),
        tenant_fk(["event_id"], "event", ondelete="CASCADE"),
        CheckConstraint(f"status in {RUN_STATUSES}", name="status"),
        Index("ix_workflow_run_tenant_workflow_started", "tenant", "workflow_id", "started_at"),
    )

    workflow_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(20))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(TenantKeyed, Base):
    """An in-app notification for one user."""

    __tablename__ = "notification"
    __table_args__ = (
        tenant_fk(["user_id"], "user", ondelete="CASCADE"),
        Index("ix_notification_tenant_user_created", "tenant", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationPreference(TenantKeyed, Base):
    """A user's channels for one category (no row: both on)."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        UniqueConstraint("tenant", "user_id", "category"),
        tenant_fk(["user_id"], "user", ondelete="CASCADE"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category: Mapped[str] = mapped_column(String(50))
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class EmailMessage(TenantKeyed, Base):
    """The email outbox: sent by a job through SMTP, or kept here when none is configured."""

    __tablename__ = "email_message"
    __table_args__ = (
        CheckConstraint(f"status in {EMAIL_STATUSES}", name="status"),
        Index("ix_email_message_tenant_created", "tenant", "created_at"),
    )

    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
