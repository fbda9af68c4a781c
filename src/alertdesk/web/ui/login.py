"""Sign in and out. The login form is CSRF-protected with a double-submit cookie."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from alertdesk.errors import AlertdeskError
from alertdesk.providers import REGISTRY
from alertdesk.services.accounts.auth import authenticate_password
from alertdesk.services.accounts.sessions import revoke_session, start_session
from alertdesk.services.integrations.oauth import start_path
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, runtime_of, ui_session
from alertdesk.web.session_cookie import COOKIE_NAME, SessionCodec
from alertdesk.web.ui.rendering import render

router = APIRouter()
LOGIN_CSRF_COOKIE = "alertdesk_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only redirect within the UI (or to the OAuth start), never to another site."""
    oauth = (start_path(name) for name, spec in REGISTRY.items() if spec.oauth is not None)
    allowed = ("/ui/", *oauth)
    if target and target.startswith(allowed) and not target.startswith("//"):
        return target
    return "/ui/tickets"


def _login_page(
    request: Request,
    next_url: str,
    *,
    error: str | None = None,
    email: str = "",
    workspace: str = "",
    status_code: int = 200,
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {
            "csrf_token": token,
            "next": next_url,
            "error": error,
            "email": email,
            "workspace": workspace,
            "ask_workspace": bool(workspace) or status_code == 409,
        },
        status_code=status_code,
    )
    secure = runtime_of(request).settings.secure_cookies
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/ui"
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    now: NowDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    workspace: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _login_page(
            request,
            _safe_next(next),
            email=email,
            status_code=403,
            error="The sign-in form expired. Please try again.",
        )
    try:
        user = authenticate_password(session, email, password, workspace.strip() or None)
    except AlertdeskError as exc:
        return _login_page(
            request,
            _safe_next(next),
            error=exc.message,
            email=email,
            workspace=workspace,
            status_code=exc.status_code,
        )
    codec: SessionCodec = request.app.state.session_codec
    row = start_session(session, user, now, codec.max_age_seconds)
    value, _ = codec.issue(user.tenant, user.id, row.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=codec.max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=runtime_of(request).settings.secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui")
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep, now: NowDep) -> Response:
    """Revoke the session row, so a copy of the cookie stops working too."""
    ui = ui_session(request)
    if ui is not None:  # csrf_protect already refused a missing session; this narrows the type
        revoke_session(session, ui.tenant, ui.user_id, ui.session_id, now)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
