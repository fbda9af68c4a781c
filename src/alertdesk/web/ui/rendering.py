"""Template rendering shared by the UI pages."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from alertdesk.errors import AlertdeskError
from alertdesk.storage.models import User

templates = Jinja2Templates(directory=str(files("alertdesk") / "web" / "templates"))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if hours else f"{rest}m"


templates.env.filters["when"] = _when
templates.env.filters["duration"] = _duration


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, exc: AlertdeskError, user: User | None = None) -> HTMLResponse:
    """The error page; given the signed-in user it keeps the workspace header around it."""
    return render(
        request,
        "error.html",
        {"message": exc.message, "status_code": exc.status_code, "user": user},
        status_code=exc.status_code,
    )
