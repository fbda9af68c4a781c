"""Shared by the reference-data settings pages: run one change in a savepoint, and tell which
form field a refusal belongs to so the page can show it there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, InvalidField, NotFound

FormText = Annotated[str, Form()]
Errors = dict[str, str]  # form field → message shown beside it


def refusal(session: Session, change: Callable[[], object]) -> AlertdeskError | None:
    """Run the change; if a service refuses it, undo what it wrote and answer why (a NotFound
    too: the page shows the error page for it, see `missing`)."""
    try:
        with session.begin_nested():
            change()
    except AlertdeskError as exc:
        return exc
    return None


def missing(exc: AlertdeskError) -> bool:
    """An unknown (or another tenant's) id: the error page, not a form error."""
    return isinstance(exc, NotFound)


def errors_of(exc: AlertdeskError, default: str, fields: dict[str, str] | None = None) -> Errors:
    """Where the message goes: the form field named by the error (renamed through `fields`
    when the form calls it something else), else `default` (a clash is about the name)."""
    if isinstance(exc, InvalidField):
        return {(fields or {}).get(exc.field, exc.field): exc.message}
    return {default: exc.message}


def back_to(path: str) -> RedirectResponse:
    """POST-redirect-GET after a change was saved."""
    return RedirectResponse(path, status_code=303)
