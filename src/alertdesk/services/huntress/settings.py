"""A Huntress integration's settings: what an admin saves is validated (HuntressSettingsIn)
and every id checked against the tenant, the fields alertdesk writes are kept; connecting
fills in the account's identity and the severity → priority map by name; and its status."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.core.huntress.settings import (
    parse_settings,
    prefill_severity_priority_map,
    routing_complete,
)
from alertdesk.errors import InvalidField
from alertdesk.providers.base import VendorError
from alertdesk.providers.huntress.settings import SYSTEM_KEYS, HuntressSettingsIn
from alertdesk.services.integrations.client import IntegrationClient
from alertdesk.services.integrations.records import Vendor, get_integration, validated
from alertdesk.services.lookup import get_referenced
from alertdesk.storage.database import Database
from alertdesk.storage.models import (
    Alert,
    Board,
    Category,
    Client,
    Integration,
    OrgMapping,
    Priority,
    Ticket,
    TicketStatus,
    User,
)


def update_settings(
    session: Session, integration: Integration, changes: dict[str, Any], now: datetime
) -> Integration:
    for key in SYSTEM_KEYS:
        if key in changes:
            raise InvalidField(f"settings.{key}", "alertdesk sets this itself.")
    stored = integration.settings
    merged = {k: v for k, v in stored.items() if k not in SYSTEM_KEYS} | changes
    if isinstance(changes.get("severity_priority_map"), dict):
        before = stored.get("severity_priority_map") or {}
        merged["severity_priority_map"] = {**before, **changes["severity_priority_map"]}
    checked = validated(HuntressSettingsIn, merged, "settings")
    _check_references(session, integration.tenant, checked)
    kept = {k: stored[k] for k in SYSTEM_KEYS if k in stored}
    integration.settings = checked.model_dump(mode="json") | kept
    integration.updated_at = now
    session.flush()
    return integration


def _check_references(session: Session, tenant: uuid.UUID, s: HuntressSettingsIn) -> None:
    """Every id names a row of this tenant (a 422 on the field otherwise)."""
    refs: list[tuple[type[Any], uuid.UUID | None, str]] = [
        (Board, s.board_id, "board_id"),
        (Category, s.category_id, "category_id"),
        (Client, s.fallback_client_id, "fallback_client_id"),
        (Board, s.fallback_board_id, "fallback_board_id"),
        (Priority, s.severity_priority_map.critical, "severity_priority_map.critical"),
        (Priority, s.severity_priority_map.high, "severity_priority_map.high"),
        (Priority, s.severity_priority_map.low, "severity_priority_map.low"),
        *((User, user_id, "notify_user_ids") for user_id in s.notify_user_ids),
    ]
    for model, row_id, field in refs:
        if row_id is not None:
            get_referenced(session, model, tenant, row_id, f"settings.{field}")
    if s.closed_status_id is not None:
        status = get_referenced(
            session, TicketStatus, tenant, s.closed_status_id, "settings.closed_status_id"
        )
        if not status.is_closed:
            raise InvalidField("settings.closed_status_id", f"{status.name!r} is not closed.")


def after_connect(
    database: Database, tenant: uuid.UUID, integration_id: uuid.UUID, vendor: Vendor
) -> list[str]:
    """Remember the account (for portal links) and prefill severity → priority by name; best
    effort: a failure is a warning, the connection stands."""
    client = IntegrationClient(database, vendor, tenant, integration_id)
    try:
        account = client.call(lambda api: api.account())  # type: ignore[attr-defined]
    except VendorError as exc:
        return [f"account details not read: {exc}"]
    with database.transaction() as session:
        integration = get_integration(session, tenant, integration_id)
        settings = dict(integration.settings)
        settings["account_name"] = str(account.get("name") or "") or None
        settings["account_subdomain"] = str(account.get("subdomain") or "") or None
        if not any((settings.get("severity_priority_map") or {}).values()):
            pairs = session.execute(
                select(Priority.id, Priority.name)
                .where(Priority.tenant == tenant)
                .order_by(Priority.position)
            ).all()
            chosen = prefill_severity_priority_map((p, n) for p, n in pairs)
            settings["severity_priority_map"] = {
                k: str(v) if v else None
                for k, v in (
                    ("critical", chosen.critical),
                    ("high", chosen.high),
                    ("low", chosen.low),
                )
            }
        integration.settings = settings
    return []


def status(session: Session, integration: Integration) -> dict[str, Any]:
    """What the Huntress card shows (API.md): the account, whether routing is complete, how
    many organizations there are and how many have no client, and its open tickets."""
    settings = parse_settings(integration.settings)
    mapped = session.execute(
        select(func.count(), func.count(OrgMapping.client_id)).where(
            OrgMapping.tenant == integration.tenant,
            OrgMapping.integration_id == integration.id,
        )
    ).one()
    open_tickets = session.scalar(
        select(func.count())
        .select_from(Alert)
        .join(Ticket, (Ticket.tenant == Alert.tenant) & (Ticket.id == Alert.ticket_id))
        .where(
            Alert.tenant == integration.tenant,
            Alert.integration_id == integration.id,
            Ticket.closed_at.is_(None),
        )
    )
    return {
        "account_name": settings.account_name,
        "account_subdomain": settings.account_subdomain,
        "account_url": portal_url(settings.account_subdomain),
        "routing_complete": routing_complete(settings),
        "organizations": mapped[0],
        "unmapped_organizations": mapped[0] - mapped[1],
        "open_tickets": open_tickets or 0,
    }


def portal_url(subdomain: str | None) -> str | None:
    """The account's Huntress portal, for links (only a plain host label is trusted)."""
    if not subdomain or not subdomain.replace("-", "").isalnum() or not subdomain.isascii():
        return None
    return f"https://{subdomain}.huntress.io"
