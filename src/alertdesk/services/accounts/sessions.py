"""UI sign-in sessions kept on the server: started at login, checked per request, revoked."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alertdesk.storage.models import User, UserSession


def start_session(session: Session, user: User, now: datetime, max_age_seconds: int) -> UserSession:
    row = UserSession(
        tenant=user.tenant,
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(seconds=max_age_seconds),
    )
    session.add(row)
    session.flush()
    return row


def session_user(
    session: Session,
    tenant: uuid.UUID,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    now: datetime,
) -> User | None:
    """The active user of this session if it is theirs, unrevoked and unexpired (one query)."""
    return session.scalar(
        select(User)
        .join(UserSession, (UserSession.tenant == User.tenant) & (UserSession.user_id == User.id))
        .where(
            User.tenant == tenant,
            User.id == user_id,
            User.is_active,
            UserSession.id == session_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
    )


def revoke_session(
    session: Session,
    tenant: uuid.UUID,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    now: datetime,
) -> None:
    """Sign-out: the session stops working at once; revoking twice is harmless."""
    session.execute(
        update(UserSession)
        .where(
            UserSession.tenant == tenant,
            UserSession.id == session_id,
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def revoke_user_sessions(
    session: Session, tenant: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> None:
    """Sign a user out of every browser (when they are deactivated)."""
    session.execute(
        update(UserSession)
        .where(
            UserSession.tenant == tenant,
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
