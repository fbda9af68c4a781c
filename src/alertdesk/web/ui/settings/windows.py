"""Maintenance windows in the browser: the list (active now / next start), the editor with scope
pickers and one-off or weekly schedules, on/off and confirmed delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, InvalidField
from alertdesk.services.alerts import windows as svc
from alertdesk.services.integrations.records import list_integrations
from alertdesk.services.tickets.reference import list_assets, list_clients
from alertdesk.storage.models import MaintenanceWindow, User
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiAdmin
from alertdesk.web.ui.forms import PostedForm, form_id
from alertdesk.web.ui.rendering import error_page, render, viewer_zone
from alertdesk.web.ui.settings.window_form import DAYS, WindowForm, WindowFormInvalid

router = APIRouter(prefix="/windows")
LIST = "/ui/settings/windows"


def _names(session: Session, tenant: uuid.UUID) -> dict[str, dict[uuid.UUID, str]]:
    return {
        "integrations": {i.id: i.name for i in list_integrations(session, tenant)},
        "clients": {c.id: c.name for c in list_clients(session, tenant)},
    }


@router.get("")
def windows_page(request: Request, session: SessionDep, user: UiAdmin, now: NowDep) -> Response:
    windows = svc.list_windows(session, user.tenant)
    names = _names(session, user.tenant)
    assets = {a.id: a.name for a, _ in list_assets(session, user.tenant)}
    context = {
        "user": user,
        "section": "windows",
        "windows": windows,
        "states": svc.states(windows, now),
        "names": names | {"assets": assets},
        "zone": viewer_zone(request),
        "days": DAYS,
    }
    return render(request, "settings/windows.html", context)


def _editor(
    request: Request,
    session: Session,
    user: User,
    form: WindowForm,
    window: MaintenanceWindow | None,
) -> Response:
    context = {
        "user": user,
        "section": "windows",
        "window": window,
        "form": form,
        "names": _names(session, user.tenant),
        "assets": _asset_choices(session, user.tenant, form.client_id),
        "days": DAYS,
        "zones": _zones(),
    }
    return render(request, "settings/window_editor.html", context, 422 if form.errors else 200)


def _asset_choices(session: Session, tenant: uuid.UUID, client_id: str) -> list[tuple[str, str]]:
    """(id, name) of the assets to offer: the chosen client's, or every asset."""
    try:
        client = uuid.UUID(client_id) if client_id else None
    except ValueError:
        client = None
    return [(str(a.id), a.name) for a, _ in list_assets(session, tenant, client)]


@cache
def _zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


@router.get("/new")
def new_window(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    return _editor(request, session, user, WindowForm.blank(viewer_zone(request)), None)


@router.get("/asset-options")
def asset_options(
    request: Request, session: SessionDep, user: UiAdmin, client_id: str = ""
) -> Response:
    """The asset picker's options for one client (swapped in when the client changes)."""
    choices = _asset_choices(session, user.tenant, client_id)
    return render(request, "settings/_asset_options.html", {"assets": choices, "selected": ""})


@router.post("/new", dependencies=[CsrfChecked])
def create_window(
    request: Request, session: SessionDep, user: UiAdmin, now: NowDep, data: PostedForm
) -> Response:
    return _save(request, session, user, WindowForm.posted(data), None, now)


@router.get("/{window_id}")
def edit_window(
    request: Request, window_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        window = svc.get_window(session, user.tenant, window_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    form = WindowForm.of_window(window, viewer_zone(request))
    return _editor(request, session, user, form, window)


@router.post("/{window_id}", dependencies=[CsrfChecked])
def update_window(
    request: Request,
    window_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
    data: PostedForm,
) -> Response:
    try:
        window = svc.get_window(session, user.tenant, window_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return _save(request, session, user, WindowForm.posted(data), window, now)


def _save(
    request: Request,
    session: Session,
    user: User,
    form: WindowForm,
    window: MaintenanceWindow | None,
    now: datetime,
) -> Response:
    try:
        for key in ("integration_id", "client_id", "asset_id"):
            form_id(getattr(form, key), key)
        data = form.to_input()
        with session.begin_nested():
            if window is None:
                svc.create_window(session, user.tenant, data, now)
            else:
                svc.update_window(session, user.tenant, window.id, data, now)
    except WindowFormInvalid as exc:
        form.errors = exc.errors
    except InvalidField as exc:
        form.errors = {exc.field: exc.message}
    if form.errors:
        return _editor(request, session, user, form, window)
    return RedirectResponse(LIST, 303)


@router.post("/{window_id}/toggle", dependencies=[CsrfChecked])
def toggle_window(
    request: Request, window_id: uuid.UUID, session: SessionDep, user: UiAdmin, now: NowDep
) -> Response:
    try:
        window = svc.get_window(session, user.tenant, window_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    window.is_active, window.updated_at = not window.is_active, now
    return RedirectResponse(f"{LIST}#window-{window_id}", 303)


@router.post("/{window_id}/delete", dependencies=[CsrfChecked])
def delete_window(
    request: Request, window_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        svc.delete_window(session, user.tenant, window_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return RedirectResponse(LIST, 303)
