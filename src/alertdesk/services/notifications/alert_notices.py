"""When an alert opens a ticket (not on repeat occurrences), the people its rule names — or,
for a polled feed such as Huntress, its routing settings — are told in the app and by email:
"RMM Alert (<severity>): <device>"."""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from alertdesk.core.types import provider_label
from alertdesk.services.notifications.notify import Email, Notice, notify
from alertdesk.services.notifications.preferences import RMM_ALERTS
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


_FOUND = Direct(  # built once: it runs for every ticket an alert opens
    select(Alert.severity, Alert.device_name, Alert.external_device_id, Alert.message,
           Integration.provider, Integration.settings, AlertRule.actions, Ticket.number,
           Ticket.title)
    .join(Integration, (Integration.tenant == Alert.tenant)
          & (Integration.id == Alert.integration_id))
    .join(Ticket, (Ticket.tenant == Alert.tenant) & (Ticket.id == Alert.ticket_id))
    .outerjoin(AlertRule, (AlertRule.tenant == Alert.tenant)
               & (AlertRule.id == Alert.matched_rule_id))
    .where(Alert.tenant == bindparam("tenant"), Alert.ticket_id == bindparam("ticket_id"),
           Alert.auto_ticket_created)
    .order_by(Alert.created_at)
    .limit(1)
)  # fmt: skip


def on_ticket_created(session: Session, event: Event, now: datetime, base_url: str) -> None:
    ticket_id = _uuid(event.payload.get("ticket_id"))
    if ticket_id is None:
        return
    row = _FOUND.row(session, {"tenant": event.tenant, "ticket_id": ticket_id})
    if row is None:  # a ticket opened by a person, or by hand from an alert
        return
    found = Found(*row)
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
