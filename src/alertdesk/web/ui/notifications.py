"""The bell and the caller's notifications: unread count, list, mark read (and open the
ticket), and the preferences per category and channel."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alertdesk.errors import AlertdeskError
from alertdesk.services.notifications import inbox
from alertdesk.services.notifications import preferences as prefs
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiUser
from alertdesk.web.ui.forms import PostedForm
from alertdesk.web.ui.rendering import error_page, render

router = APIRouter(prefix="/notifications")


@router.get("/badge")
def badge(session: SessionDep, user: UiUser) -> Response:
    """The bell's unread count (polled by the header); empty when there is nothing new."""
    count = inbox.unread_count(session, user.tenant, user.id)
    text = "" if count == 0 else ("99+" if count > 99 else str(count))
    label = f'<span class="bell-count" data-testid="unread-count">{text}</span>' if text else ""
    return HTMLResponse(label, headers={"Cache-Control": "no-store"})


@router.get("")
def notifications_page(request: Request, session: SessionDep, user: UiUser) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "notifications": inbox.list_notifications(session, user.tenant, user.id, 100),
        "unread": inbox.unread_count(session, user.tenant, user.id),
    }
    return render(request, "notifications/list.html", context)


@router.post("/read-all", dependencies=[CsrfChecked])
def read_all(session: SessionDep, user: UiUser, now: NowDep) -> Response:
    inbox.mark_all_read(session, user.tenant, user.id, now)
    return RedirectResponse("/ui/notifications", 303)


@router.get("/preferences")
def preferences_page(request: Request, session: SessionDep, user: UiUser) -> Response:
    context = {
        "user": user,
        "preferences": prefs.preferences(session, user.tenant, user.id),
        "categories": prefs.CATEGORIES,
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, "notifications/preferences.html", context)


@router.post("/preferences", dependencies=[CsrfChecked])
def save_preferences(session: SessionDep, user: UiUser, data: PostedForm) -> Response:
    """Unticked boxes are absent from the form, so absent means off."""
    chosen = {
        category: prefs.Channels(
            in_app=f"{category}:in_app" in data, email=f"{category}:email" in data
        )
        for category in prefs.CATEGORIES
    }
    prefs.set_preferences(session, user.tenant, user.id, chosen)
    return RedirectResponse("/ui/notifications/preferences?saved=1", 303)


@router.post("/{notification_id}/read", dependencies=[CsrfChecked])
def read_one(
    request: Request, notification_id: uuid.UUID, session: SessionDep, user: UiUser, now: NowDep
) -> Response:
    """Mark read, then open its ticket (or go back to the list)."""
    try:
        found = inbox.mark_read(session, user.tenant, user.id, notification_id, now)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    target = f"/ui/tickets/{found.ticket_id}" if found.ticket_id else "/ui/notifications"
    return RedirectResponse(target, 303)
