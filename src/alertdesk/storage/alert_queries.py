"""Hot-path statements of the alert pipeline, one each: built once, most run straight on the
driver (storage/direct.py)."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import String, Uuid, and_, bindparam, func, literal, select, text, update
from sqlalchemy.orm import Session, aliased

from alertdesk.core.dedup import condition_lock_key
from alertdesk.core.rules import Rule
from alertdesk.core.types import AlertEvent
from alertdesk.core.untouched import TicketSnapshot
from alertdesk.core.windows import WeeklyRecurrence, Window
from alertdesk.storage.direct import Direct
from alertdesk.storage.models import (
    Alert,
    AlertLock,
    AlertRule,
    Asset,
    AssetExternalRef,
    Integration,
    MaintenanceWindow,
    OrgMapping,
    Ticket,
    TicketComment,
    TicketHistory,
    TicketStatus,
    TimeEntry,
)
from alertdesk.storage.rows import columns_of, persistent

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
        " RETURNING lock_key, ticket_alert_id"
    )
    return Direct(text(upsert))


def lock_alert_keys(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, keys: Sequence[str]
) -> dict[str, uuid.UUID | None]:
    """Lock one row per key (made on first use) until the transaction ends; each key's
    remembered ticket alert is returned. Every writer of alerts locks here, all its keys in
    one statement in sorted order, so two writers never deadlock; row locks hold on Citus."""
    statement, params = _locking(tenant, integration_id, keys)
    return {key: alert_id for key, alert_id in statement.rows(session, params)}


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
    dedup_remembered: bool = False  # the dedup target is the one the condition's lock row names
    config_version: int = 0  # the integration's: keys its compiled rules and windows
    search_pending: bool = False  # the remembered alert no longer qualifies: see `searched`


# The context is read by statements built once, with bound parameters: building them per
# event was the largest Python cost of ingest.
_TENANT = bindparam("tenant", type_=Uuid)
_INTEGRATION = bindparam("integration_id", type_=Uuid)

_ASSET = (
    select(AssetExternalRef.asset_id, Asset.client_id)
    .join(Asset, and_(Asset.tenant == _TENANT, Asset.id == AssetExternalRef.asset_id))
    .where(
        AssetExternalRef.tenant == _TENANT,
        AssetExternalRef.provider == bindparam("provider", type_=String),
        AssetExternalRef.external_id == bindparam("device_id", type_=String),
    )
    .limit(1)
    .subquery("device_asset")
)
_MAPPING = (
    select(OrgMapping.client_id, OrgMapping.external_org_name)
    .where(
        OrgMapping.tenant == _TENANT,
        OrgMapping.integration_id == _INTEGRATION,
        OrgMapping.external_org_id == bindparam("org_id", type_=String),
    )
    .subquery("org_mapping_of")
)
_VERSION = (
    select(Integration.config_version)
    .where(Integration.tenant == _TENANT, Integration.id == _INTEGRATION)
    .scalar_subquery()
)


# the alert the condition's lock row remembers (its keys are locked before this is read)
_REMEMBERED = (
    select(AlertLock.ticket_alert_id)
    .where(
        AlertLock.tenant == _TENANT,
        AlertLock.integration_id == _INTEGRATION,
        AlertLock.lock_key == bindparam("condition_key", type_=String),
    )
    .scalar_subquery()
)


def _dedup_target(name: str, where: Any = None) -> Any:
    """The first alert of this condition whose ticket is still open, where `where` holds."""
    query = select(Alert.id, Alert.ticket_id, Alert.occurrence_count).where(Alert.tenant == _TENANT)
    return _qualifying(Alert, query, where).subquery(name)


def _remembered_target() -> Any:
    """The alert the condition's lock row names, while it still qualifies: read by primary key
    alone (a fence), so it costs the same however many alerts the condition has."""
    named = (
        select(*(getattr(Alert, c) for c in _QUALIFYING))
        .where(Alert.tenant == _TENANT, Alert.id == _REMEMBERED)
        .cte("remembered_alert")
        .prefix_with("MATERIALIZED")
    )
    query = select(named.c.id, named.c.ticket_id, named.c.occurrence_count)
    return _qualifying(named.c, query.select_from(named), None).subquery("remembered_target")


_QUALIFYING = (  # the columns `_qualifying` reads
    "id", "ticket_id", "occurrence_count", "integration_id", "dedup_key", "external_alert_id",
    "external_org_id", "auto_ticket_created", "created_at",
)  # fmt: skip


def _qualifying(alert: Any, query: Any, where: Any) -> Any:
    """Of this integration and condition (same organization), not the event's own alert, its
    ticket open; the one that opened the ticket first."""
    return (
        query.join(Ticket, and_(Ticket.tenant == _TENANT, Ticket.id == alert.ticket_id))
        .where(
            alert.integration_id == _INTEGRATION,
            alert.dedup_key == bindparam("dedup_key", type_=String),
            alert.external_alert_id != bindparam("alert_id", type_=String),
            # same organization: alerts without a device share "no-device|…" across clients
            alert.external_org_id.is_not_distinct_from(bindparam("event_org_id", type_=String)),
            Ticket.closed_at.is_(None),
            *([] if where is None else [where]),
        )
        # repeats are counted on the alert that opened the ticket
        .order_by(alert.auto_ticket_created.desc(), alert.created_at, alert.id)
        .limit(1)
    )


def _context() -> Any:
    """The remembered alert when it still qualifies (a primary-key lookup); only when none is
    remembered, the one found among the condition's alerts (the scan is skipped otherwise)."""
    own = aliased(Ticket, name="own_ticket")
    kept = _remembered_target()
    searched_for = _dedup_target("searched_target", _REMEMBERED.is_(None))
    stored = and_(
        Alert.tenant == _TENANT,
        Alert.integration_id == _INTEGRATION,
        Alert.external_alert_id == bindparam("alert_id", type_=String),
    )
    return (
        select(
            *columns_of(Alert),
            _ASSET.c.asset_id,
            func.coalesce(_ASSET.c.client_id, _MAPPING.c.client_id),
            _MAPPING.c.external_org_name,
            _REMEMBERED,
            kept.c.id,
            kept.c.ticket_id,
            kept.c.occurrence_count,
            searched_for.c.id,
            searched_for.c.ticket_id,
            searched_for.c.occurrence_count,
            own.id.is_not(None) & own.closed_at.is_(None),
            _VERSION,
        )
        .select_from(select(literal(1).label("one")).subquery())
        .outerjoin(Alert, stored)
        .outerjoin(own, and_(own.tenant == _TENANT, own.id == Alert.ticket_id))
        .outerjoin(_ASSET, literal(True))
        .outerjoin(_MAPPING, literal(True))
        .outerjoin(kept, literal(True))
        .outerjoin(searched_for, literal(True))
    )


_CONTEXT = Direct(_context())
_ALERT_COLUMNS = len(columns_of(Alert))
_ALERT_ID = [column.key for column in columns_of(Alert)].index("id")
_DEDUP_SEARCH = Direct(select(_dedup_target("dedup_target")))


def _params(event: AlertEvent, dedup_key: str) -> dict[str, Any]:
    return {
        "tenant": event.tenant,
        "integration_id": event.integration_id,
        "provider": event.provider,
        "device_id": event.external_device_id or "",
        "org_id": event.external_org_id or "",
        "event_org_id": event.external_org_id,
        "alert_id": event.external_alert_id,
        "dedup_key": dedup_key,
        "condition_key": condition_lock_key(event.external_org_id, dedup_key),
    }


def load_context(session: Session, event: AlertEvent, dedup_key: str) -> AlertContext:
    """Everything the pipeline needs to decide, in a single statement (the condition's keys
    are locked before it: in this transaction, or with it as `lock_alert_keys_with_next`)."""
    row = _CONTEXT.row(session, _params(event, dedup_key))
    assert row is not None  # one row whatever is found: the rest are outer joins
    stored, row = row[:_ALERT_COLUMNS], row[_ALERT_COLUMNS:]
    existing = None if stored[_ALERT_ID] is None else persistent(session, Alert, stored)
    (asset_id, client_id, organization, remembered, *kept, s_id, s_ticket, s_count, own_open,
     version) = row  # fmt: skip
    dedup_id, dedup_ticket, count = kept if remembered is not None else (s_id, s_ticket, s_count)
    return AlertContext(
        existing, asset_id, client_id, organization, dedup_id, dedup_ticket, count or 0,
        bool(own_open), dedup_id is not None and dedup_id == remembered, version or 0,
        search_pending=remembered is not None and dedup_id is None,
    )  # fmt: skip


def searched(
    session: Session, event: AlertEvent, dedup_key: str, context: AlertContext
) -> AlertContext:
    """When the remembered ticket alert no longer qualifies (its ticket closed), the
    condition's open ticket is looked for among its alerts: a second statement, run only by a
    decision that joins tickets."""
    if not context.search_pending:
        return context
    found = _DEDUP_SEARCH.row(session, _params(event, dedup_key))
    dedup_id, dedup_ticket, count = found or (None, None, 0)
    return replace(
        context, dedup_alert_id=dedup_id, dedup_ticket_id=dedup_ticket,
        dedup_occurrences=count or 0, search_pending=False,
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
