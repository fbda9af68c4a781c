"""Hot-path statements of the alert pipeline, one each: built once, most run straight on the
driver (storage/direct.py)."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from alertdesk.core.rules import Rule
from alertdesk.core.types import AlertEvent
from alertdesk.core.untouched import TicketSnapshot
from alertdesk.core.windows import WeeklyRecurrence, Window
from alertdesk.storage.direct import Direct
from alertdesk.storage.models import (
    Alert,
    AlertLock,
    AlertRule,
    MaintenanceWindow,
    Ticket,
    TicketComment,
    TicketHistory,
    TicketStatus,
    TimeEntry,
)

log = logging.getLogger(__name__)


@functools.cache
def _lock_statement(count: int) -> Direct:
    """Built once per number of keys (an event has 1 to 3)."""
    rows = ", ".join(f"(:tenant, :id{i}, :integration_id, :key{i})" for i in range(count))
    upsert = (
        "INSERT INTO alert_lock (tenant, id, integration_id, lock_key)"  # noqa: S608 - no input
        f" VALUES {rows}"
        " ON CONFLICT (tenant, integration_id, lock_key)"
        " DO UPDATE SET lock_key = excluded.lock_key"  # a no-op update: it takes the row lock
    )
    return Direct(text(upsert))


def lock_alert_keys(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, keys: Sequence[str]
) -> None:
    """Lock one row per key (made on first use) until the transaction ends. Every writer of
    alerts locks here, all its keys in one statement in sorted order, so two writers never
    deadlock; row locks hold on Citus. (The condition's remembered alert is read with the
    context: storage/alert_context.py.)"""
    statement, params = _locking(tenant, integration_id, keys)
    statement.rows(session, params)


def lock_alert_keys_with_next(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, keys: Sequence[str]
) -> None:
    """As lock_alert_keys, sent with the transaction's next statement (one round trip): the
    server runs that one once the locks are taken, so what it reads is what they guard."""
    statement, params = _locking(tenant, integration_id, keys)
    statement.defer(session, params)


def _locking(
    tenant: uuid.UUID, integration_id: uuid.UUID, keys: Sequence[str]
) -> tuple[Direct, dict[str, Any]]:
    ordered = sorted(set(keys))
    params: dict[str, Any] = {"tenant": tenant, "integration_id": integration_id}
    for i, key in enumerate(ordered):
        params[f"id{i}"], params[f"key{i}"] = uuid.uuid4(), key
    return _lock_statement(len(ordered)), params


_REMEMBER = Direct(
    update(AlertLock)
    .where(
        AlertLock.tenant == bindparam("lock_tenant"),
        AlertLock.integration_id == bindparam("lock_integration"),
        AlertLock.lock_key == bindparam("key"),
    )
    .values(ticket_alert_id=bindparam("alert_id"))
)


def remember_ticket_alert(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, key: str, alert_id: uuid.UUID
) -> None:
    """The alert whose open ticket the condition's repeats join from now on (O(1) dedup)."""
    remembered = {"lock_tenant": tenant, "lock_integration": integration_id, "key": key,
                  "alert_id": alert_id}  # fmt: skip
    _REMEMBER.defer(session, remembered)


_COUNT_OCCURRENCE = Direct(
    update(Alert)
    .where(Alert.tenant == bindparam("alert_tenant"), Alert.id == bindparam("alert_id"))
    .values(
        occurrence_count=bindparam("occurrence"),
        last_occurrence_at=func.greatest(Alert.last_occurrence_at, bindparam("at")),
    )
)


def count_occurrence(
    session: Session, tenant: uuid.UUID, alert_id: uuid.UUID, occurrence: int, at: datetime
) -> None:
    """Set the condition's first alert's count; a late occurrence leaves the latest time."""
    counted = {"alert_tenant": tenant, "alert_id": alert_id, "occurrence": occurrence, "at": at}
    _COUNT_OCCURRENCE.defer(session, counted)


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


def window_of(row: MaintenanceWindow) -> Window:
    """The stored window as the pure core sees it."""
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
            windows.append(window_of(row))
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
