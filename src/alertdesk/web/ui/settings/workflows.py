"""Workflows in the browser: the list with on/off and the last run, the editor (trigger, filter,
steps whose fields follow the chosen action), the runs of each; and the email outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from alertdesk.core.types import SEVERITIES
from alertdesk.errors import AlertdeskError
from alertdesk.providers import REGISTRY
from alertdesk.services.notifications.inbox import list_emails
from alertdesk.services.workflows import definitions as svc
from alertdesk.storage.models import User, Workflow, WorkflowRun
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiAdmin, runtime_of
from alertdesk.web.ui.forms import PostedForm
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings.workflow_form import (
    ACTION_LABELS,
    DEFAULTS,
    FIELDS,
    TRIGGERS,
    StepForm,
    WorkflowForm,
    WorkflowFormInvalid,
)
from alertdesk.web.ui.workspace import Lookups

router = APIRouter()
LIST = "/ui/settings/workflows"


def _choices(session: Session, tenant: uuid.UUID) -> dict[str, list[tuple[str, str]]]:
    """The pickers a step's fields may need, as (value, label)."""
    lookups = Lookups.load(session, tenant)
    return {
        "board": [(str(b.id), b.name) for b, _ in lookups.boards],
        "priority": [(str(p.id), p.name) for p in lookups.priorities],
        "user": [(str(u.id), u.name) for u in lookups.users if u.is_active],
    }


def _last_runs(session: Session, tenant: uuid.UUID) -> dict[uuid.UUID, WorkflowRun]:
    rows = session.scalars(
        select(WorkflowRun)
        .where(WorkflowRun.tenant == tenant)
        .order_by(WorkflowRun.workflow_id, WorkflowRun.started_at.desc())
        .ext(distinct_on(WorkflowRun.workflow_id))
    )
    return {r.workflow_id: r for r in rows}


@router.get("/workflows")
def workflows_page(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    context = {
        "user": user,
        "section": "workflows",
        "workflows": svc.list_workflows(session, user.tenant),
        "last_runs": _last_runs(session, user.tenant),
        "triggers": TRIGGERS,
        "action_labels": ACTION_LABELS,
    }
    return render(request, "settings/workflows.html", context)


def _editor(
    request: Request,
    session: Session,
    user: User,
    form: WorkflowForm,
    workflow: Workflow | None,
) -> Response:
    steps = [*form.steps, StepForm()] if len(form.steps) < svc.MAX_STEPS else form.steps
    context: dict[str, Any] = {
        "user": user,
        "section": "workflows",
        "workflow": workflow,
        "form": form,
        "steps": steps,
        "triggers": TRIGGERS,
        "severities": SEVERITIES,
        "providers": [(spec.name, spec.label) for spec in REGISTRY.values()],
        "action_labels": ACTION_LABELS,
        "fields": FIELDS,
        "defaults": DEFAULTS,
        "choices": _choices(session, user.tenant),
        "runs": svc.list_runs(session, user.tenant, workflow.id, 20) if workflow else [],
    }
    return render(request, "settings/workflow_editor.html", context, 422 if form.errors else 200)


@router.get("/workflows/new")
def new_workflow(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    return _editor(request, session, user, WorkflowForm.blank(), None)


@router.get("/workflows/step-fields")
def step_fields(
    request: Request, session: SessionDep, user: UiAdmin, index: int = 0, action: str = ""
) -> Response:
    """A step's fields for the action just chosen (swapped in by the editor, which sends its
    select as `step-<index>-action`)."""
    action = action or request.query_params.get(f"step-{index}-action", "")
    context = {
        "index": max(0, min(index, svc.MAX_STEPS)),
        "step": StepForm(action if action in FIELDS else "", {}),
        "fields": FIELDS,
        "defaults": DEFAULTS,
        "choices": _choices(session, user.tenant),
        "form": WorkflowForm(),
    }
    return render(request, "settings/_workflow_step_fields.html", context)


@router.post("/workflows/new", dependencies=[CsrfChecked])
def create_workflow(
    request: Request, session: SessionDep, user: UiAdmin, now: NowDep, data: PostedForm
) -> Response:
    return _save(request, session, user, WorkflowForm.posted(data), None, now)


@router.get("/workflows/{workflow_id}")
def edit_workflow(
    request: Request, workflow_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        workflow = svc.get_workflow(session, user.tenant, workflow_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return _editor(request, session, user, WorkflowForm.of_workflow(workflow), workflow)


@router.post("/workflows/{workflow_id}", dependencies=[CsrfChecked])
def update_workflow(
    request: Request,
    workflow_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
    data: PostedForm,
) -> Response:
    try:
        workflow = svc.get_workflow(session, user.tenant, workflow_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return _save(request, session, user, WorkflowForm.posted(data), workflow, now)


def _save(
    request: Request,
    session: Session,
    user: User,
    form: WorkflowForm,
    workflow: Workflow | None,
    now: datetime,
) -> Response:
    try:
        data = form.to_input()
    except WorkflowFormInvalid as exc:
        form.errors = exc.errors
        return _editor(request, session, user, form, workflow)
    if workflow is None:
        svc.create_workflow(session, user.tenant, data, now)
    else:
        svc.update_workflow(session, user.tenant, workflow.id, data, now)
    return RedirectResponse(LIST, 303)


@router.post("/workflows/{workflow_id}/toggle", dependencies=[CsrfChecked])
def toggle_workflow(
    request: Request, workflow_id: uuid.UUID, session: SessionDep, user: UiAdmin, now: NowDep
) -> Response:
    try:
        workflow = svc.get_workflow(session, user.tenant, workflow_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    workflow.is_active, workflow.updated_at = not workflow.is_active, now
    return RedirectResponse(LIST, 303)


@router.post("/workflows/{workflow_id}/delete", dependencies=[CsrfChecked])
def delete_workflow(
    request: Request, workflow_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        svc.delete_workflow(session, user.tenant, workflow_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return RedirectResponse(LIST, 303)


@router.get("/email-outbox")
def email_outbox(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    context = {
        "user": user,
        "section": "email-outbox",
        "emails": list_emails(session, user.tenant, 200),
        "smtp": bool(runtime_of(request).settings.smtp_url),
    }
    return render(request, "settings/email_outbox.html", context)
