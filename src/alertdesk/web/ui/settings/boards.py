"""Settings → Boards: boards with their statuses; create a board with its statuses, rename it,
add statuses, choose the default board."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from alertdesk.errors import NotFound
from alertdesk.services.tickets import boards
from alertdesk.storage.models import User
from alertdesk.web.deps import CsrfChecked, SessionDep, UiAdmin
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings.connect_form import posted
from alertdesk.web.ui.settings.editing import (
    Errors,
    FormText,
    back_to,
    errors_of,
    missing,
    refusal,
)

router = APIRouter(prefix="/boards")
PAGE = "/ui/settings/boards"
STATUS_ROWS = 6  # rows of the new-board form; empty ones are left out
STARTER = (("New", False), ("In Progress", False), ("Closed", True))  # (name, closed)
Posted = Annotated[dict[str, str], Depends(posted)]


@router.get("")
def boards_page(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    context = {
        "user": user,
        "section": "boards",
        "boards": boards.list_boards(session, user.tenant),
    }
    return render(request, "settings/boards.html", context)


@dataclass
class StatusRow:
    name: str = ""
    is_closed: bool = False


@dataclass
class BoardForm:
    name: str = ""
    rows: list[StatusRow] = field(default_factory=list)
    default: int = 0  # the row of the default status
    errors: Errors = field(default_factory=dict)

    @classmethod
    def starter(cls) -> BoardForm:
        rows = [StatusRow(name, closed) for name, closed in STARTER]
        return cls(rows=rows + [StatusRow() for _ in range(STATUS_ROWS - len(rows))])

    @classmethod
    def sent(cls, values: dict[str, str]) -> BoardForm:
        rows = [
            StatusRow(values.get(f"status-{i}-name", ""), bool(values.get(f"status-{i}-closed")))
            for i in range(STATUS_ROWS)
        ]
        default = values.get("default", "")
        return cls(values.get("name", ""), rows, int(default) if default.isdigit() else -1)

    def specs(self) -> list[boards.StatusSpec]:
        return [
            boards.StatusSpec(row.name, is_default=i == self.default, is_closed=row.is_closed)
            for i, row in enumerate(self.rows)
            if row.name.strip()
        ]


def _new_page(request: Request, user: User, form: BoardForm) -> Response:
    context: dict[str, Any] = {"user": user, "section": "boards", "form": form}
    return render(request, "settings/board_new.html", context, 422 if form.errors else 200)


@router.get("/new")
def new_board_page(request: Request, user: UiAdmin) -> Response:
    return _new_page(request, user, BoardForm.starter())


@router.post("", dependencies=[CsrfChecked])
def add_board(request: Request, session: SessionDep, user: UiAdmin, sent: Posted) -> Response:
    form = BoardForm.sent(sent)
    refused = refusal(
        session, lambda: boards.create_board(session, user.tenant, form.name, form.specs())
    )
    if refused is not None:
        form.errors = errors_of(refused, "name")
        return _new_page(request, user, form)
    return back_to(PAGE)


def _board_page(
    request: Request,
    session: Session,
    user: User,
    board_id: uuid.UUID,
    *,
    name: str | None = None,
    rename_errors: Errors | None = None,
    status: dict[str, str] | None = None,
    status_errors: Errors | None = None,
) -> Response:
    board, statuses = boards.get_board(session, user.tenant, board_id)
    context: dict[str, Any] = {
        "user": user,
        "section": "boards",
        "board": board,
        "statuses": statuses,
        "name": board.name if name is None else name,
        "rename_errors": rename_errors or {},
        "status": status or {},
        "status_errors": status_errors or {},
    }
    failed = bool(rename_errors or status_errors)
    return render(request, "settings/board.html", context, 422 if failed else 200)


@router.get("/{board_id}")
def board_page(
    request: Request, board_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        return _board_page(request, session, user, board_id)
    except NotFound as exc:
        return error_page(request, exc, user)


@router.post("/{board_id}", dependencies=[CsrfChecked])
def rename_board(
    request: Request,
    board_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    name: FormText = "",
) -> Response:
    refused = refusal(
        session, lambda: boards.update_board(session, user.tenant, board_id, name=name)
    )
    if refused is None:
        return back_to(PAGE)
    if missing(refused):
        return error_page(request, refused, user)
    errors = errors_of(refused, "name")
    return _board_page(request, session, user, board_id, name=name, rename_errors=errors)


@router.post("/{board_id}/statuses", dependencies=[CsrfChecked])
def add_status(
    request: Request,
    board_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    name: FormText = "",
    is_closed: FormText = "",
    is_default: FormText = "",
) -> Response:
    spec = boards.StatusSpec(name, is_default=bool(is_default), is_closed=bool(is_closed))
    refused = refusal(session, lambda: boards.add_status(session, user.tenant, board_id, spec))
    if refused is None:
        return back_to(f"{PAGE}/{board_id}#statuses")
    if missing(refused):
        return error_page(request, refused, user)
    sent = {"name": name, "is_closed": is_closed, "is_default": is_default}
    errors = errors_of(refused, "name")
    return _board_page(request, session, user, board_id, status=sent, status_errors=errors)


@router.post("/{board_id}/default", dependencies=[CsrfChecked])
def make_default(
    request: Request, board_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    refused = refusal(
        session, lambda: boards.update_board(session, user.tenant, board_id, is_default=True)
    )
    if refused is not None:
        return error_page(request, refused, user)
    return back_to(PAGE)
