"""Settings → Clients: the list with each client's number of assets, add and rename."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, NotFound
from alertdesk.services.tickets import reference as ref
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

router = APIRouter(prefix="/clients")
PAGE = "/ui/settings/clients"


def _listing(
    request: Request, session: Session, user: User, name: str = "", errors: Errors | None = None
) -> Response:
    context = {
        "user": user,
        "section": "clients",
        "clients": ref.list_clients(session, user.tenant),
        "asset_counts": ref.asset_counts(session, user.tenant),
        "name": name,
        "errors": errors or {},
    }
    return render(request, "settings/clients.html", context, 422 if errors else 200)


@router.get("")
def clients_page(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    return _listing(request, session, user)


@router.post("", dependencies=[CsrfChecked])
def add_client(
    request: Request, session: SessionDep, user: UiAdmin, name: FormText = ""
) -> Response:
    refused = refusal(session, lambda: ref.create_client(session, user.tenant, name))
    if refused is not None:
        return _listing(request, session, user, name, errors_of(refused, "name"))
    return back_to(PAGE)


def _edit_page(
    request: Request,
    session: Session,
    user: User,
    client_id: uuid.UUID,
    name: str | None = None,
    error: AlertdeskError | None = None,
) -> Response:
    client = ref.get_client(session, user.tenant, client_id)
    context = {
        "user": user,
        "section": "clients",
        "client": client,
        "name": client.name if name is None else name,
        "errors": errors_of(error, "name") if error else {},
    }
    return render(request, "settings/client.html", context, 422 if error else 200)


@router.get("/{client_id}")
def client_page(
    request: Request, client_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        return _edit_page(request, session, user, client_id)
    except NotFound as exc:
        return error_page(request, exc, user)


@router.post("/{client_id}", dependencies=[CsrfChecked])
def rename_client(
    request: Request,
    client_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    name: FormText = "",
) -> Response:
    refused = refusal(session, lambda: ref.rename_client(session, user.tenant, client_id, name))
    if refused is None:
        return back_to(PAGE)
    if missing(refused):
        return error_page(request, refused, user)
    return _edit_page(request, session, user, client_id, name, refused)
