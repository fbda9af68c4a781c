"""OAuth in the browser, for providers with the `oauth` capability: start (redirect to the
vendor) and callback (a result page). Both need the admin's UI session (the state is bound to
it). The callback calls the vendor, so it holds no transaction of the request's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from alertdesk.errors import AlertdeskError, NotFound
from alertdesk.providers import ProviderSpec, get_provider
from alertdesk.services.integrations import oauth
from alertdesk.services.integrations.org_mappings import sync_after_connect
from alertdesk.web.deps import (
    BaseUrlDep,
    DatabaseDep,
    DetachedUiAdmin,
    NowDep,
    SessionDep,
    UiAdmin,
    VendorDep,
)
from alertdesk.web.ui.rendering import render

router = APIRouter(prefix="/integrations/{provider}/oauth", tags=["integrations"])


def _with_oauth(provider: str) -> ProviderSpec:
    spec = get_provider(provider)
    if spec is None or spec.oauth is None:
        raise NotFound(f"{provider!r} has no OAuth sign-in.")
    return spec


@router.get("/start")
def start(
    request: Request,
    provider: str,
    integration_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> Response:
    spec, binding = _with_oauth(provider), request.state.csrf_token
    url = oauth.start(session, user, spec.name, integration_id, binding, vendor, base_url, now)
    return RedirectResponse(url, status_code=302)


@router.get("/callback")
def callback(
    request: Request,
    provider: str,
    database: DatabaseDep,
    user: DetachedUiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    spec = _with_oauth(provider)
    context = {"user": user, "title": spec.label, "spec": spec}
    if error or not code or not state:
        message = f"{spec.label} did not authorize the connection ({error or 'no code returned'})."
        return render(request, "oauth_result.html", context | {"error": message}, 400)
    try:
        with database.transaction() as session:  # the state is used up even if what follows fails
            claimed = oauth.claim_state(session, user, state, request.state.csrf_token, now)
        integration = oauth.complete(
            database, user, spec.name, claimed, code, vendor, base_url, now
        )
        sync_after_connect(database, user.tenant, integration.id, vendor, now)
    except AlertdeskError as exc:
        return render(
            request, "oauth_result.html", context | {"error": exc.message}, exc.status_code
        )
    return render(request, "oauth_result.html", context | {"integration": integration})
