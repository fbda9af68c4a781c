"""When an alert opens a ticket (not on repeat occurrences), the people its rule names — or,
for a polled feed such as Huntress, its routing settings — are told in the app and by email:
"RMM Alert (<severity>): <device>"."""

from __future__ import annotations

import html
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.types import provider_label
from alertdesk.services.notifications.notify import Email, Notice, notify
from alertdesk.services.notifications.preferences import RMM_ALERTS
from alertdesk.storage.models import Alert, AlertRule, Event, Integration, Ticket


def on_ticket_created(session: Session, event: Event, now: datetime, base_url: str) -> None:
    ticket_id = _uuid(event.payload.get("ticket_id"))
    if ticket_id is None:
        return
    found = session.execute(
        select(Alert, Integration, AlertRule.actions, Ticket.number, Ticket.title)
        .join(Integration, (Integration.tenant == Alert.tenant)
              & (Integration.id == Alert.integration_id))
        .join(Ticket, (Ticket.tenant == Alert.tenant) & (Ticket.id == Alert.ticket_id))
        .outerjoin(AlertRule, (AlertRule.tenant == Alert.tenant)
                   & (AlertRule.id == Alert.matched_rule_id))
        .where(Alert.tenant == event.tenant, Alert.ticket_id == ticket_id,
               Alert.auto_ticket_created)
        .order_by(Alert.created_at)
        .limit(1)
    ).first()  # fmt: skip
    if found is None:  # a ticket opened by a person, or by hand from an alert
        return
    alert, integration, actions, number, title = found
    settings = actions if actions is not None else integration.settings
    user_ids = [u for u in (_uuid(v) for v in settings.get("notify_user_ids") or []) if u]
    if user_ids:
        notice = alert_notice(alert, integration.provider, ticket_id, number, title, base_url)
        notify(session, event.tenant, user_ids, notice, now)


def alert_notice(
    alert: Alert, provider: str, ticket_id: uuid.UUID, number: str, title: str, base_url: str
) -> Notice:
    device = alert.device_name or alert.external_device_id or "unknown device"
    vendor = provider_label(provider)
    link = f"{base_url.rstrip('/')}/ui/tickets/{ticket_id}"
    message = alert.message or title
    text = "\n".join([
        f"{vendor} alert ({alert.severity}) on {device}.", "", message, "",
        f"Ticket {number}: {title}", link,
    ])  # fmt: skip
    page = (
        f"<p><strong>{html.escape(vendor)}</strong> alert "
        f"(<strong>{html.escape(alert.severity)}</strong>) on {html.escape(device)}.</p>"
        f"<p>{html.escape(message)}</p>"
        f'<p>Ticket <a href="{html.escape(link)}">{html.escape(number)}</a>: '
        f"{html.escape(title)}</p>"
    )
    subject = f"RMM Alert ({alert.severity}): {device}"
    return Notice(
        category=RMM_ALERTS,
        title=f"{number}: {title}",
        body=f"{vendor} alert ({alert.severity}) on {device}: {message}",
        ticket_id=ticket_id,
        email=Email(subject=" ".join(subject.split()), text=text, html=page),
    )


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
