"""Settings → Priorities: the list, most urgent first, with each colour; add, rename, recolour."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, NotFound
from alertdesk.services.tickets import boards
from alertdesk.storage.models import User
from alertdesk.web.deps import CsrfChecked, SessionDep, UiAdmin
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings.editing import (
    Errors,
    FormText,
    back_to,
    errors_of,
    missing,
    refusal,
)

router = APIRouter(prefix="/priorities")
PAGE = "/ui/settings/priorities"


def _listing(
    request: Request,
    session: Session,
    user: User,
    sent: dict[str, str] | None = None,
    errors: Errors | None = None,
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "section": "priorities",
        "priorities": boards.list_priorities(session, user.tenant),
        "form": sent or {},
        "errors": errors or {},
    }
    return render(request, "settings/priorities.html", context, 422 if errors else 200)


@router.get("")
def priorities_page(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    return _listing(request, session, user)


@router.post("", dependencies=[CsrfChecked])
def add_priority(
    request: Request, session: SessionDep, user: UiAdmin, name: FormText = "", color: FormText = ""
) -> Response:
    refused = refusal(session, lambda: boards.create_priority(session, user.tenant, name, color))
    if refused is not None:
        sent = {"name": name, "color": color}
        return _listing(request, session, user, sent, errors_of(refused, "name"))
    return back_to(PAGE)


def _edit_page(
    request: Request,
    session: Session,
    user: User,
    priority_id: uuid.UUID,
    sent: dict[str, str] | None = None,
    error: AlertdeskError | None = None,
) -> Response:
    priority = boards.get_priority(session, user.tenant, priority_id)
    context: dict[str, Any] = {
        "user": user,
        "section": "priorities",
        "priority": priority,
        "form": sent or {"name": priority.name, "color": priority.color or ""},
        "errors": errors_of(error, "name") if error else {},
    }
    return render(request, "settings/priority.html", context, 422 if error else 200)


@router.get("/{priority_id}")
def priority_page(
    request: Request, priority_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        return _edit_page(request, session, user, priority_id)
    except NotFound as exc:
        return error_page(request, exc, user)


@router.post("/{priority_id}", dependencies=[CsrfChecked])
def edit_priority(
    request: Request,
    priority_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    name: FormText = "",
    color: FormText = "",
) -> Response:
    """The colour field left empty removes the colour."""
    refused = refusal(
        session,
        lambda: boards.update_priority(
            session, user.tenant, priority_id, name=name, color=color.strip()
        ),
    )
    if refused is None:
        return back_to(PAGE)
    if missing(refused):
        return error_page(request, refused, user)
    return _edit_page(request, session, user, priority_id, {"name": name, "color": color}, refused)
