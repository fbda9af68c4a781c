"""How errors become responses: domain errors, races, bad data, outages, login redirects.

No handler shows a stack trace to the caller; `/ui` paths get the error page, the rest JSON.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from alertdesk.errors import (
    AlertdeskError,
    Conflict,
    InvalidField,
    NotFound,
    Unauthorized,
    Unavailable,
)
from alertdesk.storage.database import refusal_reason
from alertdesk.web import ui
from alertdesk.web.deps import LoginRequired
from alertdesk.web.outage import RETRY_AFTER_SECONDS, OutageLog


def domain_error(request: Request, exc: AlertdeskError) -> Response:
    if request.url.path.startswith("/ui"):
        return ui.error_page(request, exc)
    if isinstance(exc, InvalidField):
        loc = ["body", *exc.field.split(".")]
        detail = [{"loc": loc, "msg": exc.message, "type": "invalid"}]
        return JSONResponse({"detail": detail}, status_code=422)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    if isinstance(exc, Unavailable):
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse({"detail": exc.message}, exc.status_code, headers=headers)


def integrity_error(request: Request, exc: IntegrityError) -> Response:
    """Two requests raced for the same unique value: the loser gets a clear 409."""
    conflict = Conflict("This conflicts with a change made at the same moment; reload and retry.")
    return domain_error(request, conflict)


def data_error(request: Request, exc: DataError) -> Response:
    """A value the database refused (out of range, too long…): the caller's to fix."""
    message = f"A value could not be stored: {refusal_reason(exc)}."
    return domain_error(request, InvalidField("request", message))


def database_down(request: Request, exc: OperationalError) -> Response:
    outage: OutageLog = request.app.state.outage
    outage.failed(exc)
    busy = Unavailable("The database is unavailable right now; please retry shortly.")
    return domain_error(request, busy)


def login_required(request: Request, exc: LoginRequired) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"/ui/login?{urlencode({'next': here})}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def printable(value: Any) -> Any:
    """What a validation error echoes back, made encodable: lone surrogates escaped, NaN and
    infinities as text (the caller's own input must not turn its 422 into a 500)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    errors = printable(jsonable_encoder(exc.errors()))
    if request.url.path.startswith("/ui"):
        first = errors[0] if errors else {}
        if first.get("loc", ("",))[0] == "path":  # /ui/tickets/not-an-id is just not there
            return ui.error_page(request, NotFound("There is no such page."))
        message = f"{'.'.join(str(p) for p in first.get('loc', ())[1:])}: {first.get('msg')}"
        return ui.error_page(request, InvalidField("form", message))
    return JSONResponse({"detail": errors}, status_code=422)


def install(app: FastAPI) -> None:
    handlers = {
        AlertdeskError: domain_error,
        IntegrityError: integrity_error,
        DataError: data_error,
        OperationalError: database_down,
        LoginRequired: login_required,
        RequestValidationError: invalid_request,
    }
    for error, handler in handlers.items():
        app.add_exception_handler(error, handler)  # type: ignore[arg-type]
