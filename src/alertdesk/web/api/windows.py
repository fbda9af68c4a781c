"""Maintenance windows (admin): list, create, read, replace, delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response

from alertdesk.services.alerts import windows as svc
from alertdesk.web.api.schemas import Output
from alertdesk.web.deps import AdminUser, NowDep, SessionDep

router = APIRouter(prefix="/maintenance-windows", tags=["maintenance windows"])


class WindowOut(Output):
    id: uuid.UUID
    name: str
    is_active: bool
    integration_id: uuid.UUID | None
    client_id: uuid.UUID | None
    asset_id: uuid.UUID | None
    starts_at: datetime | None
    ends_at: datetime | None
    recurrence: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime | None


@router.get("")
def list_windows(
    session: SessionDep, user: AdminUser, integration_id: uuid.UUID | None = None
) -> list[WindowOut]:
    rows = svc.list_windows(session, user.tenant, integration_id)
    return [WindowOut.model_validate(w) for w in rows]


@router.post("", status_code=201)
def create_window(
    body: svc.WindowIn, session: SessionDep, user: AdminUser, now: NowDep
) -> WindowOut:
    return WindowOut.model_validate(svc.create_window(session, user.tenant, body, now))


@router.get("/{window_id}")
def get_window(window_id: uuid.UUID, session: SessionDep, user: AdminUser) -> WindowOut:
    return WindowOut.model_validate(svc.get_window(session, user.tenant, window_id))


@router.put("/{window_id}")
def replace_window(
    window_id: uuid.UUID, body: svc.WindowIn, session: SessionDep, user: AdminUser, now: NowDep
) -> WindowOut:
    window = svc.update_window(session, user.tenant, window_id, body, now)
    return WindowOut.model_validate(window)


@router.delete("/{window_id}", status_code=204)
def delete_window(window_id: uuid.UUID, session: SessionDep, user: AdminUser) -> Response:
    svc.delete_window(session, user.tenant, window_id)
    return Response(status_code=204)
