"""Hot-path reads of the alert pipeline: one statement each, SQLAlchemy Core/ORM selects."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy import and_, func, literal, select, text
from sqlalchemy.orm import Session, aliased

from alertdesk.core.rules import Rule
from alertdesk.core.types import AlertEvent
from alertdesk.core.untouched import TicketSnapshot
from alertdesk.core.windows import WeeklyRecurrence, Window
from alertdesk.storage.models import (
    Alert,
    AlertRule,
    Asset,
    AssetExternalRef,
    MaintenanceWindow,
    OrgMapping,
    Ticket,
    TicketComment,
    TicketHistory,
    TicketStatus,
    TimeEntry,
)

log = logging.getLogger(__name__)


def lock_dedup_key(session: Session, event: AlertEvent, dedup_key: str) -> None:
    """Serialize events of one dedup key, and of one alert id, until the transaction ends.

    Both locks are taken in one statement, always in this order (key, then alert id).
    """
    scope = f"{event.tenant}|{event.integration_id}"
    session.execute(
        text(
            "select pg_advisory_xact_lock(hashtextextended(:k, 0)),"
            " pg_advisory_xact_lock(hashtextextended(:a, 0))"
        ),
        {"k": f"{scope}|key|{dedup_key}", "a": f"{scope}|alert|{event.external_alert_id}"},
    )


@dataclass(frozen=True)
class AlertContext:
    """The stored alert (if any), where it belongs, and the open ticket its dedup key points to."""

    existing: Alert | None
    asset_id: uuid.UUID | None
    client_id: uuid.UUID | None
    organization: str | None
    dedup_alert_id: uuid.UUID | None
    dedup_ticket_id: uuid.UUID | None
    dedup_occurrences: int
    own_ticket_open: bool  # the stored alert's own ticket is still open


def _asset_of(event: AlertEvent) -> Any:
    t = event.tenant
    return (
        select(AssetExternalRef.asset_id, Asset.client_id)
        .join(Asset, and_(Asset.tenant == t, Asset.id == AssetExternalRef.asset_id))
        .where(
            AssetExternalRef.tenant == t,
            AssetExternalRef.provider == event.provider,
            AssetExternalRef.external_id == (event.external_device_id or ""),
        )
        .limit(1)
        .subquery()
    )


def _mapping_of(event: AlertEvent) -> Any:
    return (
        select(OrgMapping.client_id, OrgMapping.external_org_name)
        .where(
            OrgMapping.tenant == event.tenant,
            OrgMapping.integration_id == event.integration_id,
            OrgMapping.external_org_id == (event.external_org_id or ""),
        )
        .subquery()
    )


def _dedup_target(event: AlertEvent, dedup_key: str) -> Any:
    t = event.tenant
    return (
        select(Alert.id, Alert.ticket_id, Alert.occurrence_count)
        .join(Ticket, and_(Ticket.tenant == t, Ticket.id == Alert.ticket_id))
        .where(
            Alert.tenant == t,
            Alert.integration_id == event.integration_id,
            Alert.dedup_key == dedup_key,
            Alert.external_alert_id != event.external_alert_id,
            # same organization: alerts without a device share "no-device|…" across clients
            Alert.external_org_id.is_not_distinct_from(event.external_org_id),
            Ticket.closed_at.is_(None),
        )
        # repeats are counted on the alert that opened the ticket
        .order_by(Alert.auto_ticket_created.desc(), Alert.created_at, Alert.id)
        .limit(1)
        .subquery()
    )


def load_context(session: Session, event: AlertEvent, dedup_key: str) -> AlertContext:
    """Everything the pipeline needs to decide, in a single statement."""
    asset, mapping, dedup = _asset_of(event), _mapping_of(event), _dedup_target(event, dedup_key)
    own = aliased(Ticket)
    stored = and_(
        Alert.tenant == event.tenant,
        Alert.integration_id == event.integration_id,
        Alert.external_alert_id == event.external_alert_id,
    )
    row = session.execute(
        select(
            Alert,
            asset.c.asset_id,
            func.coalesce(asset.c.client_id, mapping.c.client_id),
            mapping.c.external_org_name,
            dedup.c.id,
            dedup.c.ticket_id,
            dedup.c.occurrence_count,
            own.id.is_not(None) & own.closed_at.is_(None),
        )
        .select_from(select(literal(1).label("one")).subquery())
        .outerjoin(Alert, stored)
        .outerjoin(own, and_(own.tenant == event.tenant, own.id == Alert.ticket_id))
        .outerjoin(asset, literal(True))
        .outerjoin(mapping, literal(True))
        .outerjoin(dedup, literal(True))
    ).one()
    existing, asset_id, client_id, organization, dedup_id, dedup_ticket, count, own_open = row
    return AlertContext(
        existing, asset_id, client_id, organization, dedup_id, dedup_ticket, count or 0,
        bool(own_open),
    )  # fmt: skip


def open_alert_by_dedup_key(session: Session, event: AlertEvent, dedup_key: str) -> Alert | None:
    """The newest open alert of this dedup key, for a reset that came without an alert id."""
    return session.scalar(
        select(Alert)
        .where(
            Alert.tenant == event.tenant,
            Alert.integration_id == event.integration_id,
            Alert.dedup_key == dedup_key,
            Alert.status.in_(("active", "acknowledged", "suppressed")),
        )
        .order_by(Alert.triggered_at.desc(), Alert.created_at.desc())
        .limit(1)
    )


def _window(row: MaintenanceWindow) -> Window:
    recurrence = None
    if row.recurrence:
        r = row.recurrence
        recurrence = WeeklyRecurrence(
            days=frozenset(r.get("days", ())),
            start_time=time.fromisoformat(r["start_time"]),
            end_time=time.fromisoformat(r["end_time"]),
            timezone=r.get("timezone", ""),
        )
    return Window(
        id=row.id,
        name=row.name,
        is_active=row.is_active,
        integration_id=row.integration_id,
        client_id=row.client_id,
        asset_id=row.asset_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        recurrence=recurrence,
    )


def active_windows(session: Session, tenant: uuid.UUID, integration_id: uuid.UUID) -> list[Window]:
    rows = session.scalars(
        select(MaintenanceWindow)
        .where(
            MaintenanceWindow.tenant == tenant,
            MaintenanceWindow.is_active,
            (MaintenanceWindow.integration_id.is_(None))
            | (MaintenanceWindow.integration_id == integration_id),
        )
        .order_by(MaintenanceWindow.created_at, MaintenanceWindow.id)
    )
    windows = []
    for row in rows:
        try:
            windows.append(_window(row))
        except (KeyError, TypeError, ValueError):  # saved by hand or an old version: ignore it
            log.warning("maintenance window %s has an unreadable recurrence; ignored", row.id)
    return windows


def active_rules(session: Session, tenant: uuid.UUID, integration_id: uuid.UUID) -> list[Rule]:
    rows = session.scalars(
        select(AlertRule)
        .where(
            AlertRule.tenant == tenant,
            AlertRule.integration_id == integration_id,
            AlertRule.is_active,
        )
        .order_by(AlertRule.priority_order, AlertRule.created_at)
    )
    return [
        Rule(r.id, r.name, r.priority_order, r.conditions, r.actions, r.is_active) for r in rows
    ]


def ticket_snapshot(
    session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID, other_than_alert: uuid.UUID
) -> tuple[TicketSnapshot, int]:
    """The ticket's human activity and how many other alerts on it are still active."""
    default_status = (
        select(TicketStatus.id)
        .where(
            TicketStatus.tenant == tenant,
            TicketStatus.board_id == Ticket.board_id,
            TicketStatus.is_default,
        )
        .scalar_subquery()
    )

    def count(model: Any, *where: Any) -> Any:
        return (
            select(func.count())
            .select_from(model)
            .where(model.tenant == tenant, model.ticket_id == ticket_id, *where)
            .scalar_subquery()
        )

    row = session.execute(
        select(
            Ticket.status_id,
            default_status,
            Ticket.closed_at,
            count(TicketComment, TicketComment.is_system.is_(False)),
            count(TimeEntry),
            count(
                TicketHistory, TicketHistory.field == "status", TicketHistory.actor_kind == "user"
            ),
            count(
                Alert, Alert.id != other_than_alert, Alert.status.in_(("active", "acknowledged"))
            ),
        ).where(Ticket.tenant == tenant, Ticket.id == ticket_id)
    ).one()
    status_id, default_id, closed_at, comments, entries, changes, others = row
    snapshot = TicketSnapshot(
        status_id, default_id, closed_at is not None, comments, entries, changes
    )
    return snapshot, others
