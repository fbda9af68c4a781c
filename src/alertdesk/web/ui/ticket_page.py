"""The ticket workspace: timeline, comment, log time, change status/priority/assignee, close."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.errors import AlertdeskError, InvalidField, NotFound
from alertdesk.services.alerts.service import AlertFilter, list_alerts
from alertdesk.services.tickets import reference as ref
from alertdesk.services.tickets import service as svc
from alertdesk.services.tickets import work
from alertdesk.storage.models import User
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiUser
from alertdesk.web.ui.forms import form_id
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.workspace import Lookups

router = APIRouter(prefix="/tickets/{ticket_id}")


def _page(
    request: Request,
    session: Session,
    user: User,
    ticket_id: uuid.UUID,
    error: AlertdeskError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The ticket page; after a failed change, with the error and what the user had typed."""
    try:
        detail = svc.get_ticket_detail(session, user.tenant, ticket_id)
    except NotFound as exc:
        return error_page(request, exc, user)
    lookups = Lookups.load(session, user.tenant)
    assets = [
        asset
        for asset, _ in ref.list_assets(session, user.tenant, detail.ticket.client_id)
        if asset.id in detail.asset_ids
    ]
    timeline: list[tuple[Any, str]] = [(c, "comment") for c in detail.comments]
    timeline += [(h, "history") for h in detail.history]
    timeline.sort(key=lambda item: item[0].created_at)
    context = {
        "user": user,
        "detail": detail,
        "ticket": detail.ticket,
        "lookups": lookups,
        "assets": assets,
        "alerts": list_alerts(session, user.tenant, AlertFilter(ticket_id=ticket_id)),
        "timeline": timeline,
        "error": error.message if error else None,
        "invalid": error.field if isinstance(error, InvalidField) else None,
        "form": form or {},
    }
    if error is None:
        return render(request, "tickets/detail.html", context)
    response = render(request, "tickets/detail.html", context, error.status_code)
    response.headers["HX-Push-Url"] = "false"  # the address stays the ticket's, not the POST's
    return response


def _apply(
    request: Request,
    session: Session,
    user: User,
    ticket_id: uuid.UUID,
    change: Callable[[], object],
    anchor: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    """Run one change; on a domain error show the page again with the message, change undone."""
    try:
        with session.begin_nested():
            change()
    except AlertdeskError as exc:
        return _page(request, session, user, ticket_id, exc, form)
    return RedirectResponse(f"/ui/tickets/{ticket_id}{anchor}", status_code=303)


@router.get("")
def ticket_detail(
    request: Request, ticket_id: uuid.UUID, session: SessionDep, user: UiUser
) -> Response:
    return _page(request, session, user, ticket_id)


@router.post("/comments", dependencies=[CsrfChecked])
def add_comment(
    request: Request,
    ticket_id: uuid.UUID,
    session: SessionDep,
    user: UiUser,
    now: NowDep,
    body: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form()] = "internal",
) -> Response:
    return _apply(
        request,
        session,
        user,
        ticket_id,
        lambda: work.add_comment(
            session,
            user.tenant,
            ticket_id,
            body,
            is_internal=visibility != "public",
            actor=Actor.user(user.id),
            now=now,
        ),
        "#timeline",
        {"body": body, "visibility": visibility},
    )


@router.post("/time-entries", dependencies=[CsrfChecked])
def log_time(
    request: Request,
    ticket_id: uuid.UUID,
    session: SessionDep,
    user: UiUser,
    now: NowDep,
    minutes: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    def change() -> object:
        if not minutes.strip().isdigit():
            raise InvalidField("minutes", "Enter the time spent in whole minutes.")
        return work.add_time_entry(
            session, user.tenant, ticket_id, user.id, int(minutes), note, now
        )

    form = {"minutes": minutes, "note": note}
    return _apply(request, session, user, ticket_id, change, "#time", form)


@router.post("/fields", dependencies=[CsrfChecked])
def change_fields(
    request: Request,
    ticket_id: uuid.UUID,
    session: SessionDep,
    user: UiUser,
    now: NowDep,
    status_id: Annotated[str, Form()] = "",
    priority_id: Annotated[str, Form()] = "",
    assigned_to: Annotated[str, Form()] = "",
) -> Response:
    def change() -> object:
        assignee = form_id(assigned_to, "assigned_to")
        changes = work.TicketChanges(
            status_id=form_id(status_id, "status_id"),
            priority_id=form_id(priority_id, "priority_id"),
            assigned_to=assignee,
            unassign=assignee is None,
        )
        return work.update_ticket(
            session, user.tenant, ticket_id, changes, Actor.user(user.id), now
        )

    return _apply(request, session, user, ticket_id, change)


@router.post("/close", dependencies=[CsrfChecked])
def close(
    request: Request,
    ticket_id: uuid.UUID,
    session: SessionDep,
    user: UiUser,
    now: NowDep,
    status_id: Annotated[str, Form()] = "",
) -> Response:
    return _apply(
        request,
        session,
        user,
        ticket_id,
        lambda: work.close_ticket(
            session,
            user.tenant,
            ticket_id,
            Actor.user(user.id),
            now,
            form_id(status_id, "status_id"),
        ),
    )
