"""Telling people: an in-app notification and an email per active user, each as their
preferences allow; emails wait in the outbox for the send job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.services.notifications.preferences import channels_of
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import EmailMessage, Notification, User

SEND_TASK = "send_email"
TITLE_LIMIT = 500


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Notice:
    category: str
    title: str
    body: str = ""
    ticket_id: uuid.UUID | None = None
    email: Email | None = None  # None: in-app only


@dataclass
class Sent:
    in_app: list[uuid.UUID] = field(default_factory=list)  # user ids
    emails: list[uuid.UUID] = field(default_factory=list)  # email_message ids


def notify(
    session: Session, tenant: uuid.UUID, user_ids: list[uuid.UUID], notice: Notice, now: datetime
) -> Sent:
    """Each active user of the tenant among `user_ids` once; unknown ids are passed over."""
    users = session.scalars(
        select(User).where(
            User.tenant == tenant, User.id.in_(list(dict.fromkeys(user_ids))), User.is_active
        )
    ).all()
    channels = channels_of(session, tenant, [u.id for u in users], notice.category)
    sent = Sent()
    for user in users:
        if channels[user.id].in_app:
            session.add(
                Notification(
                    tenant=tenant, id=uuid.uuid4(), user_id=user.id, category=notice.category,
                    title=notice.title[:TITLE_LIMIT], body=notice.body,
                    ticket_id=notice.ticket_id, created_at=now,
                )
            )  # fmt: skip
            sent.in_app.append(user.id)
        if notice.email is not None and channels[user.id].email:
            sent.emails.append(_queue_email(session, tenant, user.email, notice.email, now))
    session.flush()
    return sent


def _queue_email(
    session: Session, tenant: uuid.UUID, to: str, email: Email, now: datetime
) -> uuid.UUID:
    message = EmailMessage(
        tenant=tenant, id=uuid.uuid4(), to_address=to, subject=email.subject[:TITLE_LIMIT],
        text_body=email.text, html_body=email.html, status="pending", attempts=0,
        created_at=now,
    )  # fmt: skip
    session.add(message)
    defer(session, SEND_TASK, {"tenant": str(tenant), "email_id": str(message.id)})
    return message.id
