"""Alert pages: the list with filters, one alert with its decision trace told as sentences, and
"Create ticket" (which joins the open ticket of the alert's condition when there is one)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.core.alert_summary import alert_summary
from alertdesk.core.trace_story import Names, trace_story
from alertdesk.core.types import SEVERITIES, provider_label
from alertdesk.errors import AlertdeskError, NotFound
from alertdesk.services.alerts import service as svc
from alertdesk.storage.models import Alert, User
from alertdesk.web.api.schemas import MAX_OFFSET
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiUser
from alertdesk.web.ui.rendering import error_page, render

router = APIRouter(prefix="/alerts")
PAGE = 50
STATUSES = {
    "active": "Active",
    "acknowledged": "Acknowledged",
    "resolved": "Resolved",
    "auto_resolved": "Auto-resolved",
    "suppressed": "Suppressed",
}
OPEN_STATUSES = ("active", "acknowledged")
RAW_LIMIT = 200_000  # characters of the pretty-printed payload shown on the page


def _uuid_or_none(value: str) -> uuid.UUID | None:
    """List filters: "" means any; a malformed id is ignored like an unknown one."""
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _offset(value: str) -> int:
    return min(int(value), MAX_OFFSET) if value.isdigit() and len(value) < 10 else 0


def summary(alert: Alert, names: svc.AlertNames) -> str:
    """What is wrong, as the default ticket title says it (the vendor's message, readably)."""
    integration = names.integrations.get(alert.integration_id)
    return alert_summary(svc.alert_event(alert, integration.provider if integration else ""))


@router.get("")
def alert_list(
    request: Request,
    session: SessionDep,
    user: UiUser,
    status: str = "",
    integration_id: str = "",
    severity: str = "",
    client_id: str = "",
    offset: str = "0",
) -> Response:
    filters = {
        "status": status if status in STATUSES else "",
        "integration_id": integration_id if _uuid_or_none(integration_id) else "",
        "severity": severity if severity in SEVERITIES else "",
        "client_id": client_id if _uuid_or_none(client_id) else "",
    }
    start = _offset(offset)
    f = svc.AlertFilter(
        status=filters["status"] or None,
        integration_id=_uuid_or_none(filters["integration_id"]),
        severity=filters["severity"] or None,
        client_id=_uuid_or_none(filters["client_id"]),
        limit=PAGE + 1,
        offset=start,
    )
    alerts = svc.list_alerts(session, user.tenant, f)
    more, alerts = len(alerts) > PAGE, alerts[:PAGE]
    names = svc.alert_names(session, user.tenant, alerts)
    query = {key: value for key, value in filters.items() if value}

    def page_url(at: int) -> str:
        return "/ui/alerts?" + urlencode(query | ({"offset": str(at)} if at else {}))

    context: dict[str, Any] = {
        "user": user,
        "alerts": alerts,
        "summaries": {a.id: summary(a, names) for a in alerts},
        "names": names,
        "filters": filters,
        "filtered": bool(query),
        "statuses": STATUSES,
        "open_statuses": OPEN_STATUSES,
        "severities": SEVERITIES,
        "provider_label": provider_label,
        "first": start + 1,
        "newer_url": page_url(max(start - PAGE, 0)) if start else None,
        "older_url": page_url(start + PAGE) if more and start + PAGE <= MAX_OFFSET else None,
    }
    if request.headers.get("hx-target") == "alert-rows":
        return render(request, "alerts/_rows.html", context)
    return render(request, "alerts/list.html", context)


def _pretty(raw: Any) -> str:
    text = json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "\n… (cut: the payload is longer)"


def _page(
    request: Request,
    session: Session,
    user: User,
    alert_id: uuid.UUID,
    error: AlertdeskError | None = None,
) -> Response:
    try:
        alert = svc.get_alert(session, user.tenant, alert_id)
    except NotFound as exc:
        return error_page(request, exc, user)
    names = svc.alert_names(session, user.tenant, [alert])
    story_names = Names(
        tickets={str(t.id): t.number for t in names.tickets.values()},
        users={str(i): name for i, name in names.users.items()},
    )
    integration = names.integrations.get(alert.integration_id)
    context: dict[str, Any] = {
        "user": user,
        "alert": alert,
        "summary": summary(alert, names),
        "names": names,
        "integration": integration,
        "provider": provider_label(integration.provider) if integration else "",
        "ticket": names.tickets.get(alert.ticket_id) if alert.ticket_id else None,
        "story": trace_story(alert.decision, story_names),
        "raw": _pretty(alert.raw),
        "statuses": STATUSES,
        "open_statuses": OPEN_STATUSES,
        "error": error.message if error else None,
    }
    if error is None:
        return render(request, "alerts/detail.html", context)
    response = render(request, "alerts/detail.html", context, error.status_code)
    response.headers["HX-Push-Url"] = "false"  # the address stays the alert's, not the POST's
    return response


@router.get("/{alert_id}")
def alert_detail(
    request: Request, alert_id: uuid.UUID, session: SessionDep, user: UiUser
) -> Response:
    return _page(request, session, user, alert_id)


@router.post("/{alert_id}/create-ticket", dependencies=[CsrfChecked])
def create_ticket(
    request: Request, alert_id: uuid.UUID, session: SessionDep, user: UiUser, now: NowDep
) -> Response:
    """As POST /api/v1/alerts/{id}/create-ticket: a new ticket, or the open ticket of the same
    condition joined; either way the person lands on it."""
    try:
        with session.begin_nested():
            result = svc.ticket_for_alert(
                session, user.tenant, alert_id, svc.ManualTicket(), Actor.user(user.id), now
            )
    except NotFound as exc:
        return error_page(request, exc, user)
    except AlertdeskError as exc:
        return _page(request, session, user, alert_id, exc)
    return RedirectResponse(f"/ui/tickets/{result.ticket.id}", status_code=303)
