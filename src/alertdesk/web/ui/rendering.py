"""Template rendering shared by the UI pages."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from alertdesk.core.alert_summary import is_code
from alertdesk.errors import AlertdeskError
from alertdesk.storage.models import User

ZONE_COOKIE = "alertdesk_tz"  # set by base.html from the browser's Intl timezone
templates = Jinja2Templates(directory=str(files("alertdesk") / "web" / "templates"))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if hours else f"{rest}m"


def _in_zone(value: datetime | None, zone: str) -> str:
    """'Sat 5 Dec 2026, 22:00' on the wall clock of `zone`."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


templates.env.filters["when"] = _when
templates.env.filters["in_zone"] = _in_zone
templates.env.tests["code"] = is_code  # a bare vendor code (`vmm_cond_memory_usage_ge`)
templates.env.filters["duration"] = _duration


def viewer_zone(request: Request) -> str:
    """The signed-in person's IANA timezone, as their browser reported it (else UTC)."""
    name = unquote(request.cookies.get(ZONE_COOKIE, ""))[:64]
    try:
        ZoneInfo(name)
    except Exception:  # empty, unknown or malformed names raise several kinds
        return "UTC"
    return name


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
