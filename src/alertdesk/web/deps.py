"""Request dependencies: the unit-of-work session (or the Database, for endpoints that call
vendors), the clock, and who is calling."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from alertdesk.errors import Forbidden, Unauthorized
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.auth import authenticate_token
from alertdesk.services.accounts.sessions import session_user
from alertdesk.services.integrations.records import Vendor
from alertdesk.storage.database import Database
from alertdesk.storage.models import User
from alertdesk.web.session_cookie import COOKIE_NAME, SessionCodec, UiSession


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns, rolled back on error."""
    with runtime_of(request).database.transaction() as session:
        yield session
    request.app.state.outage.recovered()  # after an outage, the first commit logs "back"


# scope="function": commit before the response is sent, so a client never reads stale data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_now(request: Request) -> datetime:
    """The runtime's clock (tests may give the runtime another one)."""
    return runtime_of(request).now()


NowDep = Annotated[datetime, Depends(get_now)]


def get_database(request: Request) -> Database:
    return runtime_of(request).database


# For endpoints that call vendors: they open short transactions around the calls themselves.
DatabaseDep = Annotated[Database, Depends(get_database)]
AuthorizationHeader = Annotated[str | None, Header()]


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    return token.strip()


def api_user(session: SessionDep, now: NowDep, authorization: AuthorizationHeader = None) -> User:
    return authenticate_token(session, _bearer(authorization), now)


CurrentUser = Annotated[User, Depends(api_user)]


def api_admin(user: CurrentUser) -> User:
    if user.role != "admin":
        raise Forbidden("Only admins may do this.")
    return user


AdminUser = Annotated[User, Depends(api_admin)]


def detached_api_admin(
    database: DatabaseDep, now: NowDep, authorization: AuthorizationHeader = None
) -> User:
    """An admin checked in a short transaction of its own, already committed (AdminUser keeps
    the request's transaction open until the endpoint returns, so vendor calls cannot use it)."""
    token = _bearer(authorization)
    with database.transaction() as session:
        user = authenticate_token(session, token, now)
    return api_admin(user)


DetachedAdmin = Annotated[User, Depends(detached_api_admin)]


class LoginRequired(Exception):
    """Raised by UI dependencies; the app answers with a redirect to the login page."""


def ui_session(request: Request) -> UiSession | None:
    codec: SessionCodec = request.app.state.session_codec
    return codec.read(request.cookies.get(COOKIE_NAME))


def ui_user(request: Request, session: SessionDep, now: NowDep) -> User:
    return _signed_in(request, session, now)


def _signed_in(request: Request, session: Session, now: datetime) -> User:
    """The signed-in user: a valid cookie naming a live (unrevoked, unexpired) session row."""
    ui = ui_session(request)
    if ui is None:
        raise LoginRequired
    user = session_user(session, ui.tenant, ui.user_id, ui.session_id, now)
    if user is None:
        raise LoginRequired
    request.state.csrf_token = ui.csrf_token
    return user


UiUser = Annotated[User, Depends(ui_user)]


def ui_admin(user: UiUser) -> User:
    if user.role != "admin":
        raise Forbidden("Only admins can do this.")
    return user


UiAdmin = Annotated[User, Depends(ui_admin)]


def detached_ui_admin(request: Request, database: DatabaseDep, now: NowDep) -> User:
    """UiAdmin checked in a short transaction of its own (see detached_api_admin)."""
    with database.transaction() as session:
        user = _signed_in(request, session, now)
    return ui_admin(user)


DetachedUiAdmin = Annotated[User, Depends(detached_ui_admin)]


async def csrf_protect(request: Request) -> None:
    """Every UI form post carries the session's CSRF token (form field or X-CSRF-Token)."""
    ui = ui_session(request)
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if ui is None or not sent or not secrets.compare_digest(sent, ui.csrf_token):
        raise Forbidden("The form expired or did not come from this site. Reload and try again.")


CsrfChecked = Depends(csrf_protect)


def get_vendor(request: Request) -> Vendor:
    return runtime_of(request).vendor


VendorDep = Annotated[Vendor, Depends(get_vendor)]


def get_base_url(request: Request) -> str:
    """Where vendors reach us: ALERTDESK_BASE_URL, else the address this request came to."""
    configured = runtime_of(request).settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


BaseUrlDep = Annotated[str, Depends(get_base_url)]
