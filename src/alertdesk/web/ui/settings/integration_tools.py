"""The integration page's buttons that call out or change secrets: Poll now, Send test alert,
Reveal and Rotate the webhook secret. Each runs with no transaction held, then shows the page
with what it did, or why it did not."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from alertdesk.errors import AlertdeskError
from alertdesk.services.integrations import deliveries, lifecycle
from alertdesk.services.integrations import records as svc
from alertdesk.services.tickets.service import get_ticket
from alertdesk.storage.database import Database
from alertdesk.storage.models import User
from alertdesk.web import integration_actions as actions
from alertdesk.web.deps import (
    BaseUrlDep,
    CsrfChecked,
    DatabaseDep,
    DetachedUiAdmin,
    NowDep,
    SessionDep,
    UiAdmin,
    VendorDep,
)
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings.integrations import detail_page

router = APIRouter(prefix="/integrations")


def _run_then_show(
    request: Request,
    database: Database,
    user: User,
    integration_id: uuid.UUID,
    vendor: svc.Vendor,
    base_url: str,
    run: Callable[[], dict[str, Any]],
    refused: str = "",
) -> Response:
    """`run` returns what the page adds; a refusal is shown above it (`refused` + reason)."""
    try:
        extra = run()
    except AlertdeskError as exc:
        if exc.status_code == 404:
            return error_page(request, exc, user)
        extra = {"error": refused + exc.message}
    with database.transaction() as session:
        return detail_page(request, session, user, integration_id, vendor, base_url, extra)


@router.post("/{integration_id}/poll", dependencies=[CsrfChecked])
def poll(
    request: Request,
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedUiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> Response:
    """ "Poll now": one cycle, then the page with its counts."""

    def run() -> dict[str, Any]:
        return {"poll_result": actions.poll_now(database, vendor, user.tenant, integration_id, now)}

    return _run_then_show(request, database, user, integration_id, vendor, base_url, run,
                          "The poll did not run: ")  # fmt: skip


@router.post("/{integration_id}/test-alert", dependencies=[CsrfChecked])
def test_alert(
    request: Request,
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedUiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> Response:
    """ "Send test alert": a sample delivery through the real pipeline, then where it went."""

    def run() -> dict[str, Any]:
        attempt = deliveries.send_test_alert(database, user.tenant, integration_id, now)
        result = dict(attempt.delivery.body)
        if result.get("ticket_id"):
            with database.transaction() as session:
                ticket = get_ticket(session, user.tenant, uuid.UUID(str(result["ticket_id"])))
                result["ticket_number"] = ticket.number
        return {"test_result": result}

    return _run_then_show(request, database, user, integration_id, vendor, base_url, run)


@router.get("/{integration_id}/webhook-secret")
def reveal_secret(
    request: Request, integration_id: uuid.UUID, session: SessionDep, user: UiAdmin,
    vendor: VendorDep, base_url: BaseUrlDep,
) -> Response:  # fmt: skip
    """The "Reveal" button: the secret as a fragment, never cached."""
    try:
        setup = svc.webhook_setup(session, user.tenant, integration_id, vendor, base_url)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    response = render(request, "settings/_secret.html", {"secret": setup["header"]["value"]})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/{integration_id}/webhook-secret/rotate", dependencies=[CsrfChecked])
def rotate_secret(
    request: Request,
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedUiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> Response:
    """ "Rotate": a new secret, shown on the page with what to do with it."""

    def run() -> dict[str, Any]:
        secret = lifecycle.rotate_webhook_secret(
            database, user.tenant, integration_id, vendor, base_url, now
        )
        return {"new_secret": secret, "rotated": True}

    return _run_then_show(request, database, user, integration_id, vendor, base_url, run,
                          "The secret was not changed: ")  # fmt: skip
