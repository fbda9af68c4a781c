"""Alerts as received, the rules that route them, maintenance windows, and the event outbox."""

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
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base, TenantKeyed, tenant_fk

ALERT_STATUSES = ("active", "acknowledged", "resolved", "auto_resolved", "suppressed")


class Alert(TenantKeyed, Base):
    """One vendor alert. `matched_rule_id` and `suppressed_by_window_id` are history, not FKs:
    deleting a rule or window must not rewrite what happened (the trace keeps their names)."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("tenant", "integration_id", "external_alert_id"),
        tenant_fk(["integration_id"], "integration", ondelete="CASCADE"),
        tenant_fk(["asset_id"], "asset"),
        tenant_fk(["client_id"], "client"),
        tenant_fk(["ticket_id"], "ticket"),
        CheckConstraint(
            "status in ('active', 'acknowledged', 'resolved', 'auto_resolved', 'suppressed')",
            name="status",
        ),
        Index("ix_alert_tenant_dedup", "tenant", "integration_id", "dedup_key"),
        Index("ix_alert_tenant_ticket", "tenant", "ticket_id"),
        Index("ix_alert_tenant_status", "tenant", "status", "triggered_at"),
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    external_alert_id: Mapped[str] = mapped_column(String(255))
    external_alert_uid: Mapped[str | None] = mapped_column(String(255))
    external_device_id: Mapped[str | None] = mapped_column(String(255))
    external_org_id: Mapped[str | None] = mapped_column(String(255))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    activity_type: Mapped[str | None] = mapped_column(String(100))
    source_type: Mapped[str | None] = mapped_column(String(100))
    alert_class: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(Text)
    device_name: Mapped[str | None] = mapped_column(String(255))
    dedup_key: Mapped[str] = mapped_column(String(255))
    occurrence_count: Mapped[int] = mapped_column(Integer, default=1)
    triggered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_occurrence_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(255))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    matched_rule_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    suppressed_by_window_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    auto_ticket_created: Mapped[bool] = mapped_column(Boolean, default=False)
    ingest_source: Mapped[str] = mapped_column(String(20), default="webhook")
    raw: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict)
    decision: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the reset sent to the RMM after a person closed the ticket (see OUTBOUND_STATUSES)
    outbound_status: Mapped[str | None] = mapped_column(String(20))
    outbound_error: Mapped[str | None] = mapped_column(Text)
    outbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


OUTBOUND_STATUSES = ("pending", "done", "failed", "opted_out", "not_supported")


class AlertLock(TenantKeyed, Base):
    """One row per alert key (`condition:…` for a condition of one organization, `alert:…` for
    a vendor alert id), locked FOR UPDATE by every path that writes alerts: a lock that holds
    on every Citus node, unlike an advisory lock. A condition's row also remembers the alert
    whose open ticket its repeats join, so dedup finds it by primary key."""

    __tablename__ = "alert_lock"
    __table_args__ = (
        UniqueConstraint("tenant", "integration_id", "lock_key"),
        tenant_fk(["integration_id"], "integration", ondelete="CASCADE"),
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lock_key: Mapped[str] = mapped_column(Text)
    ticket_alert_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # history, not an FK


class AlertRule(TenantKeyed, Base):
    """Routing for one integration; lower `priority_order` is evaluated first."""

    __tablename__ = "alert_rule"
    __table_args__ = (
        tenant_fk(["integration_id"], "integration", ondelete="CASCADE"),
        Index("ix_alert_rule_tenant_integration", "tenant", "integration_id", "priority_order"),
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    priority_order: Mapped[int] = mapped_column(Integer, default=0)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    actions: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MaintenanceWindow(TenantKeyed, Base):
    """Suppresses alert ticketing; each set scope narrows it, None means all of that kind."""

    __tablename__ = "maintenance_window"
    __table_args__ = (
        tenant_fk(["integration_id"], "integration", ondelete="CASCADE"),
        tenant_fk(["client_id"], "client", ondelete="CASCADE"),
        tenant_fk(["asset_id"], "asset", ondelete="CASCADE"),
        Index("ix_maintenance_window_tenant_active", "tenant", "is_active"),
    )

    name: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    integration_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recurrence: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Event(TenantKeyed, Base):
    """Transactional outbox: written with the change it describes, consumed after commit."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_tenant_type_created", "tenant", "type", "created_at"),
        Index(
            "ix_event_tenant_undelivered",
            "tenant",
            "created_at",
            postgresql_where=text("delivered_at is null"),
        ),
    )

    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EventDelivery(TenantKeyed, Base):
    """One consumer's handling of one event: unique, so a consumer acts once per event even
    when the delivery job runs again."""

    __tablename__ = "event_delivery"
    __table_args__ = (
        UniqueConstraint("tenant", "event_id", "consumer"),
        tenant_fk(["event_id"], "event", ondelete="CASCADE"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    consumer: Mapped[str] = mapped_column(String(50))
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
