"""When an alert opens a ticket (not on repeat occurrences), the people its rule names — or,
for a polled feed such as Huntress, its routing settings — are told in the app and by email:
"RMM Alert (<severity>): <device>"."""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, Uuid, any_, bindparam, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from alertdesk.core.types import provider_label
from alertdesk.services.notifications.notify import Email, Notice, notify
from alertdesk.services.notifications.preferences import RMM_ALERTS
from alertdesk.storage.database import transaction_memory
from alertdesk.storage.direct import Direct
from alertdesk.storage.models import Alert, AlertRule, Event, Integration, Ticket


class Found(NamedTuple):
    """What a notice says, read with the ticket's first auto-created alert."""

    severity: str
    device_name: str | None
    external_device_id: str | None
    message: str | None
    provider: str
    settings: dict[str, Any]
    actions: dict[str, Any] | None  # its rule's, when a rule matched
    number: str
    title: str


_FOUND = Direct(  # built once: each ticket's first auto-created alert, for a batch of tickets
    select(Alert.ticket_id, Alert.severity, Alert.device_name, Alert.external_device_id,
           Alert.message, Integration.provider, Integration.settings, AlertRule.actions,
           Ticket.number, Ticket.title)
    .ext(distinct_on(Alert.ticket_id))
    .join(Integration, (Integration.tenant == Alert.tenant)
          & (Integration.id == Alert.integration_id))
    .join(Ticket, (Ticket.tenant == Alert.tenant) & (Ticket.id == Alert.ticket_id))
    .outerjoin(AlertRule, (AlertRule.tenant == Alert.tenant)
               & (AlertRule.id == Alert.matched_rule_id))
    .where(Alert.tenant == bindparam("tenant", type_=Uuid),
           Alert.ticket_id == any_(bindparam("ticket_ids", type_=ARRAY(Uuid))),
           Alert.auto_ticket_created)
    .order_by(Alert.ticket_id, Alert.created_at)
)  # fmt: skip


def read_notices(session: Session, events: Sequence[Event], now: datetime) -> None:
    """What the tickets of a batch's TICKET_CREATED events say, in one statement (the outbox
    calls it before handing the events over one by one)."""
    for tenant in {event.tenant for event in events}:
        wanted = [_uuid(e.payload.get("ticket_id")) for e in events if e.tenant == tenant]
        _found(session, tenant, [ticket_id for ticket_id in wanted if ticket_id is not None])


def _found(
    session: Session, tenant: uuid.UUID, ticket_ids: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], Found | None]:
    """Remembered for the transaction: None for a ticket no alert opened."""
    known: dict[tuple[uuid.UUID, uuid.UUID], Found | None]
    known = transaction_memory(session, "alert_notices")
    missing = list(dict.fromkeys(t for t in ticket_ids if (tenant, t) not in known))
    if missing:
        known.update(((tenant, ticket_id), None) for ticket_id in missing)
        for row in _FOUND.rows(session, {"tenant": tenant, "ticket_ids": missing}):
            known[tenant, row[0]] = Found(*row[1:])
    return known


def on_ticket_created(session: Session, event: Event, now: datetime, base_url: str) -> None:
    ticket_id = _uuid(event.payload.get("ticket_id"))
    if ticket_id is None:
        return
    found = _found(session, event.tenant, [ticket_id])[event.tenant, ticket_id]
    if found is None:  # a ticket opened by a person, or by hand from an alert
        return
    settings = found.actions if found.actions is not None else found.settings
    user_ids = [u for u in (_uuid(v) for v in settings.get("notify_user_ids") or []) if u]
    if user_ids:
        notify(session, event.tenant, user_ids, alert_notice(found, ticket_id, base_url), now)


def alert_notice(found: Found, ticket_id: uuid.UUID, base_url: str) -> Notice:
    device = found.device_name or found.external_device_id or "unknown device"
    vendor = provider_label(found.provider)
    link = f"{base_url.rstrip('/')}/ui/tickets/{ticket_id}"
    number, title, severity = found.number, found.title, found.severity
    message = found.message or title
    text = "\n".join([
        f"{vendor} alert ({severity}) on {device}.", "", message, "",
        f"Ticket {number}: {title}", link,
    ])  # fmt: skip
    page = (
        f"<p><strong>{html.escape(vendor)}</strong> alert "
        f"(<strong>{html.escape(severity)}</strong>) on {html.escape(device)}.</p>"
        f"<p>{html.escape(message)}</p>"
        f'<p>Ticket <a href="{html.escape(link)}">{html.escape(number)}</a>: '
        f"{html.escape(title)}</p>"
    )
    subject = f"RMM Alert ({severity}): {device}"
    return Notice(
        category=RMM_ALERTS,
        title=f"{number}: {title}",
        body=f"{vendor} alert ({severity}) on {device}: {message}",
        ticket_id=ticket_id,
        email=Email(subject=" ".join(subject.split()), text=text, html=page),
    )


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
