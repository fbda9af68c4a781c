"""Settings → Users: invite (with a password the admin sets or one generated and shown once),
rename, change role, deactivate and reactivate. Nobody demotes or deactivates themselves."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, NotFound
from alertdesk.services.accounts import users as svc
from alertdesk.storage.models import User
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiAdmin
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings.editing import (
    Errors,
    FormText,
    back_to,
    errors_of,
    missing,
    refusal,
)

router = APIRouter(prefix="/users")
PAGE = "/ui/settings/users"
ROLE_CHOICES = [("technician", "Technician"), ("admin", "Admin")]


def _listing(
    request: Request,
    session: Session,
    user: User,
    *,
    sent: dict[str, str] | None = None,
    errors: Errors | None = None,
    error: str | None = None,
    invited: tuple[User, str] | None = None,
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "section": "users",
        "users": svc.list_users(session, user.tenant),
        "form": sent or {"role": "technician"},
        "errors": errors or {},
        "error": error,
        "invited": invited,
        "roles": ROLE_CHOICES,
    }
    failed = bool(errors or error)
    return render(request, "settings/users.html", context, 422 if failed else 200)


@router.get("")
def users_page(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    return _listing(request, session, user)


@router.post("", dependencies=[CsrfChecked])
def invite(
    request: Request,
    session: SessionDep,
    user: UiAdmin,
    name: FormText = "",
    email: FormText = "",
    role: FormText = "technician",
    password: FormText = "",
) -> Response:
    """Create the user; a password left empty is generated and shown on the next page only."""
    initial = password or svc.generate_password()
    created: list[User] = []

    def create() -> None:
        created.append(
            svc.create_user(
                session, user.tenant, email=email, password=initial, name=name, role=role
            )
        )

    refused = refusal(session, create)
    if refused is not None:
        sent = {"name": name, "email": email, "role": role}
        return _listing(request, session, user, sent=sent, errors=errors_of(refused, "email"))
    if password:
        return back_to(PAGE)
    page = _listing(request, session, user, invited=(created[0], initial))
    page.headers["Cache-Control"] = "no-store"  # the password is shown this once
    return page


def _edit_page(
    request: Request,
    session: Session,
    user: User,
    user_id: uuid.UUID,
    sent: dict[str, str] | None = None,
    error: AlertdeskError | None = None,
) -> Response:
    person = svc.get_user(session, user.tenant, user_id)
    context: dict[str, Any] = {
        "user": user,
        "section": "users",
        "person": person,
        "form": sent or {"name": person.name, "role": person.role},
        "errors": errors_of(error, "name") if error else {},
        "roles": ROLE_CHOICES,
    }
    return render(request, "settings/user.html", context, 422 if error else 200)


@router.get("/{user_id}")
def user_page(request: Request, user_id: uuid.UUID, session: SessionDep, user: UiAdmin) -> Response:
    try:
        return _edit_page(request, session, user, user_id)
    except NotFound as exc:
        return error_page(request, exc, user)


def _change(
    session: Session, user: User, user_id: uuid.UUID, changes: svc.UserChanges, now: datetime
) -> AlertdeskError | None:
    return refusal(
        session,
        lambda: svc.update_user(session, user.tenant, user_id, changes, acting=user, now=now),
    )


@router.post("/{user_id}", dependencies=[CsrfChecked])
def edit_user(
    request: Request,
    user_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
    name: FormText = "",
    role: FormText = "",
) -> Response:
    """Name and role; the role select is disabled on one's own page, so it may be missing."""
    changes = svc.UserChanges(name=name, role=role or None)
    refused = _change(session, user, user_id, changes, now)
    if refused is None:
        return back_to(PAGE)
    if missing(refused):
        return error_page(request, refused, user)
    sent = {"name": name, "role": role}
    return _edit_page(request, session, user, user_id, sent, refused)


@router.post("/{user_id}/{action}", dependencies=[CsrfChecked])
def set_active(
    request: Request,
    user_id: uuid.UUID,
    action: Literal["deactivate", "reactivate"],
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
) -> Response:
    changes = svc.UserChanges(is_active=action == "reactivate")
    refused = _change(session, user, user_id, changes, now)
    if refused is None:
        return back_to(PAGE)
    if missing(refused):
        return error_page(request, refused, user)
    return _listing(request, session, user, error=refused.message)
