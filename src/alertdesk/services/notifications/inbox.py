"""A user's in-app notifications (newest first, unread count, mark read) and the tenant's
email outbox as admins see it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alertdesk.errors import NotFound
from alertdesk.storage.models import EmailMessage, Notification


def list_notifications(
    session: Session, tenant: uuid.UUID, user_id: uuid.UUID, limit: int = 50
) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.tenant == tenant, Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id)
            .limit(limit)
        )
    )


def unread_count(session: Session, tenant: uuid.UUID, user_id: uuid.UUID) -> int:
    count = session.scalar(
        select(func.count()).where(
            Notification.tenant == tenant,
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
        )
    )
    return int(count or 0)


def mark_read(
    session: Session, tenant: uuid.UUID, user_id: uuid.UUID, notification_id: uuid.UUID,
    now: datetime,
) -> Notification:  # fmt: skip
    """Only the user's own notification (another's id is unknown); reading twice keeps the
    first time."""
    found = session.scalar(
        select(Notification).where(
            Notification.tenant == tenant,
            Notification.user_id == user_id,
            Notification.id == notification_id,
        )
    )
    if found is None:
        raise NotFound("No such notification.")
    if found.read_at is None:
        found.read_at = now
    return found


def mark_all_read(session: Session, tenant: uuid.UUID, user_id: uuid.UUID, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(
            Notification.tenant == tenant,
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_emails(session: Session, tenant: uuid.UUID, limit: int = 100) -> list[EmailMessage]:
    return list(
        session.scalars(
            select(EmailMessage)
            .where(EmailMessage.tenant == tenant)
            .order_by(EmailMessage.created_at.desc(), EmailMessage.id)
            .limit(limit)
        )
    )
