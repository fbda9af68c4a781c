"""Workflows (admin): list, create, read, replace, delete, and each one's runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response

from alertdesk.services.workflows import definitions as svc
from alertdesk.web.api.schemas import Output
from alertdesk.web.deps import AdminUser, NowDep, SessionDep

router = APIRouter(prefix="/workflows", tags=["workflows"])


class WorkflowOut(Output):
    id: uuid.UUID
    name: str
    is_active: bool
    trigger: str
    filter: dict[str, Any]
    steps: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime | None


class RunOut(Output):
    id: uuid.UUID
    workflow_id: uuid.UUID
    event_id: uuid.UUID
    status: str
    steps: list[dict[str, Any]]
    started_at: datetime
    finished_at: datetime | None


@router.get("")
def list_workflows(session: SessionDep, user: AdminUser) -> list[WorkflowOut]:
    return [WorkflowOut.model_validate(w) for w in svc.list_workflows(session, user.tenant)]


@router.post("", status_code=201)
def create_workflow(
    body: svc.WorkflowIn, session: SessionDep, user: AdminUser, now: NowDep
) -> WorkflowOut:
    return WorkflowOut.model_validate(svc.create_workflow(session, user.tenant, body, now))


@router.get("/{workflow_id}")
def get_workflow(workflow_id: uuid.UUID, session: SessionDep, user: AdminUser) -> WorkflowOut:
    return WorkflowOut.model_validate(svc.get_workflow(session, user.tenant, workflow_id))


@router.put("/{workflow_id}")
def replace_workflow(
    workflow_id: uuid.UUID, body: svc.WorkflowIn, session: SessionDep, user: AdminUser,
    now: NowDep,
) -> WorkflowOut:  # fmt: skip
    workflow = svc.update_workflow(session, user.tenant, workflow_id, body, now)
    return WorkflowOut.model_validate(workflow)


@router.delete("/{workflow_id}", status_code=204)
def delete_workflow(workflow_id: uuid.UUID, session: SessionDep, user: AdminUser) -> Response:
    svc.delete_workflow(session, user.tenant, workflow_id)
    return Response(status_code=204)


@router.get("/{workflow_id}/runs")
def list_runs(
    workflow_id: uuid.UUID, session: SessionDep, user: AdminUser,
    limit: int = Query(50, ge=1, le=500),
) -> list[RunOut]:  # fmt: skip
    runs = svc.list_runs(session, user.tenant, workflow_id, limit)
    return [RunOut.model_validate(r) for r in runs]
