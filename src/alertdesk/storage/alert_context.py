"""The context the alert pipeline decides on, read in one statement once the alert's keys are
locked: the stored alert, its device's asset and client, its organization's mapping, the
condition's open ticket (remembered on its lock row, or searched) and the config version."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import String, Uuid, and_, bindparam, func, literal, select
from sqlalchemy.orm import Session, aliased

from alertdesk.core.dedup import condition_lock_key
from alertdesk.core.types import AlertEvent
from alertdesk.storage.direct import Direct
from alertdesk.storage.models import (
    Alert,
    AlertLock,
    Asset,
    AssetExternalRef,
    Integration,
    OrgMapping,
    Ticket,
)
from alertdesk.storage.rows import columns_of, persistent


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
