"""Ticket pages: the list with filters and the new-ticket form (the ticket itself: ticket_page)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from alertdesk.core.actors import Actor
from alertdesk.errors import AlertdeskError, InvalidField
from alertdesk.services.tickets import service as svc
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiUser
from alertdesk.web.ui.forms import form_id
from alertdesk.web.ui.rendering import render
from alertdesk.web.ui.workspace import Lookups

router = APIRouter(prefix="/tickets")
OptionalId = Annotated[str, Form()]


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    """List filters: "" means any; a malformed id is ignored like an unknown one."""
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _see_ticket(ticket_id: uuid.UUID, anchor: str = "") -> Response:
    return RedirectResponse(f"/ui/tickets/{ticket_id}{anchor}", status_code=303)


@router.get("")
def ticket_list(
    request: Request,
    session: SessionDep,
    user: UiUser,
    status: str = "open",
    board_id: str = "",
    client_id: str = "",
    q: str = "",
) -> Response:
    state = status if status in ("open", "closed") else None
    f = svc.TicketFilter(
        state=state,  # type: ignore[arg-type]
        board_id=_uuid_or_none(board_id),
        client_id=_uuid_or_none(client_id),
        search=q or None,
    )
    context: dict[str, Any] = {
        "user": user,
        "tickets": svc.list_tickets(session, user.tenant, f),
        "lookups": Lookups.load(session, user.tenant),
        "filters": {"status": state or "all", "board_id": board_id, "client_id": client_id, "q": q},
        "limit": f.limit,
    }
    if request.headers.get("hx-target") == "ticket-rows":
        return render(request, "tickets/_rows.html", context)
    return render(request, "tickets/list.html", context)


@router.get("/new")
def new_ticket_form(request: Request, session: SessionDep, user: UiUser) -> Response:
    return _new_form(request, session, user, {})


def _new_form(
    request: Request,
    session: SessionDep,
    user: UiUser,
    form: dict[str, str],
    error: AlertdeskError | None = None,
) -> Response:
    context = {
        "user": user,
        "lookups": Lookups.load(session, user.tenant),
        "form": form,
        "error": error.message if error else None,
        "invalid": error.field if isinstance(error, InvalidField) else None,
    }
    if error is None:
        return render(request, "tickets/new.html", context)
    response = render(request, "tickets/new.html", context, error.status_code)
    response.headers["HX-Push-Url"] = "false"  # stay on /ui/tickets/new, not the POST URL
    return response


@router.post("", dependencies=[CsrfChecked])
def create_ticket(
    request: Request,
    session: SessionDep,
    user: UiUser,
    now: NowDep,
    title: Annotated[str, Form()] = "",
    client_id: OptionalId = "",
    description: Annotated[str, Form()] = "",
    board_id: OptionalId = "",
    priority_id: OptionalId = "",
    assigned_to: OptionalId = "",
) -> Response:
    form = {
        "title": title,
        "client_id": client_id,
        "description": description,
        "board_id": board_id,
        "priority_id": priority_id,
        "assigned_to": assigned_to,
    }
    try:
        client = form_id(client_id, "client_id")
        if client is None:
            raise InvalidField("client_id", "Choose a client.")
        new = svc.NewTicket(
            title=title,
            client_id=client,
            description=description,
            board_id=form_id(board_id, "board_id"),
            priority_id=form_id(priority_id, "priority_id"),
            assigned_to=form_id(assigned_to, "assigned_to"),
            source="manual",
        )
        with session.begin_nested():
            ticket = svc.create_ticket(session, user.tenant, new, Actor.user(user.id), now)
    except AlertdeskError as exc:
        return _new_form(request, session, user, form, exc)
    return _see_ticket(ticket.id)
