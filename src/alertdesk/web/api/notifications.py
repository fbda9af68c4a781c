"""The caller's notifications and preferences; the email outbox (admin)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import RootModel

from alertdesk.services.notifications import inbox
from alertdesk.services.notifications import preferences as prefs
from alertdesk.web.api.schemas import Input, Output
from alertdesk.web.deps import AdminUser, CurrentUser, NowDep, SessionDep

router = APIRouter(tags=["notifications"])


class NotificationOut(Output):
    id: uuid.UUID
    category: str
    title: str
    body: str
    ticket_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None


class ChannelsIO(Input):
    in_app: bool = True
    email: bool = True


class PreferencesIO(RootModel[dict[str, ChannelsIO]]):
    """`{"rmm-alerts": {"in_app": true, "email": false}, …}`"""


class EmailOut(Output):
    id: uuid.UUID
    to_address: str
    subject: str
    text_body: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@router.get("/notifications")
def list_notifications(
    session: SessionDep, user: CurrentUser, limit: int = Query(50, ge=1, le=500)
) -> list[NotificationOut]:
    rows = inbox.list_notifications(session, user.tenant, user.id, limit)
    return [NotificationOut.model_validate(n) for n in rows]


@router.post("/notifications/{notification_id}/read")
def read_notification(
    notification_id: uuid.UUID, session: SessionDep, user: CurrentUser, now: NowDep
) -> NotificationOut:
    found = inbox.mark_read(session, user.tenant, user.id, notification_id, now)
    return NotificationOut.model_validate(found)


def _out(chosen: dict[str, prefs.Channels]) -> PreferencesIO:
    return PreferencesIO({k: ChannelsIO(in_app=c.in_app, email=c.email) for k, c in chosen.items()})


@router.get("/notification-preferences")
def get_preferences(session: SessionDep, user: CurrentUser) -> PreferencesIO:
    return _out(prefs.preferences(session, user.tenant, user.id))


@router.put("/notification-preferences")
def put_preferences(body: PreferencesIO, session: SessionDep, user: CurrentUser) -> PreferencesIO:
    chosen = {k: prefs.Channels(v.in_app, v.email) for k, v in body.root.items()}
    return _out(prefs.set_preferences(session, user.tenant, user.id, chosen))


@router.get("/email-outbox")
def list_emails(
    session: SessionDep, user: AdminUser, limit: int = Query(100, ge=1, le=500)
) -> list[EmailOut]:
    return [EmailOut.model_validate(e) for e in inbox.list_emails(session, user.tenant, limit)]
