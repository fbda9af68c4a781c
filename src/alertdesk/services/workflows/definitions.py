"""Workflow administration: a trigger event type, a filter, ordered steps whose actions and
inputs are checked on save (inputs that use `{{event.…}}` are checked when filled)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.workflows import WorkflowFilter, uses_template
from alertdesk.services.automation.events import (
    RMM_ALERT_RESOLVED,
    RMM_ALERT_TRIGGERED,
    TICKET_CLOSED,
    TICKET_CREATED,
)
from alertdesk.services.lookup import get_owned
from alertdesk.services.workflows.actions import ACTIONS
from alertdesk.storage.models import Workflow, WorkflowRun

TRIGGERS = (RMM_ALERT_TRIGGERED, RMM_ALERT_RESOLVED, TICKET_CREATED, TICKET_CLOSED)
Trigger = Literal["RMM_ALERT_TRIGGERED", "RMM_ALERT_RESOLVED", "TICKET_CREATED", "TICKET_CLOSED"]
MAX_STEPS = 20


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=100)
    inputs: dict[str, Any] = {}

    @model_validator(mode="after")
    def _known_and_well_formed(self) -> Self:
        action = ACTIONS.get(self.action)
        if action is None:
            raise ValueError(f"unknown action {self.action!r}; one of: {', '.join(ACTIONS)}")
        fields = action.inputs.model_fields
        unknown = sorted(set(self.inputs) - set(fields))
        if unknown:
            raise ValueError(f"{self.action} has no input {unknown[0]!r}")
        templated = {k for k, v in self.inputs.items() if uses_template(v)}
        static = {k: v for k, v in self.inputs.items() if k not in templated}
        try:
            action.inputs.model_validate(static)
        except ValidationError as exc:
            for error in exc.errors():
                where = str(error["loc"][0]) if error["loc"] else "inputs"
                if error["type"] == "missing" and where in templated:
                    continue
                raise ValueError(f"{self.action} input {where!r}: {error['msg']}") from None
        return self


class WorkflowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    is_active: bool = True
    trigger: Trigger
    filter: WorkflowFilter = WorkflowFilter()
    steps: list[StepIn] = Field(min_length=1, max_length=MAX_STEPS)


def _apply(workflow: Workflow, data: WorkflowIn, now: datetime) -> None:
    workflow.name, workflow.is_active, workflow.trigger = data.name, data.is_active, data.trigger
    workflow.filter = data.filter.model_dump(mode="json", exclude_none=True)
    workflow.steps = [step.model_dump(mode="json") for step in data.steps]
    workflow.updated_at = now


def list_workflows(session: Session, tenant: uuid.UUID) -> list[Workflow]:
    return list(
        session.scalars(
            select(Workflow).where(Workflow.tenant == tenant).order_by(Workflow.name, Workflow.id)
        )
    )


def get_workflow(session: Session, tenant: uuid.UUID, workflow_id: uuid.UUID) -> Workflow:
    return get_owned(session, Workflow, tenant, workflow_id)


def create_workflow(
    session: Session, tenant: uuid.UUID, data: WorkflowIn, now: datetime
) -> Workflow:
    workflow = Workflow(tenant=tenant, id=uuid.uuid4(), created_at=now)
    _apply(workflow, data, now)
    session.add(workflow)
    session.flush()
    return workflow


def update_workflow(
    session: Session, tenant: uuid.UUID, workflow_id: uuid.UUID, data: WorkflowIn, now: datetime
) -> Workflow:
    workflow = get_workflow(session, tenant, workflow_id)
    _apply(workflow, data, now)
    session.flush()
    return workflow


def delete_workflow(session: Session, tenant: uuid.UUID, workflow_id: uuid.UUID) -> None:
    session.delete(get_workflow(session, tenant, workflow_id))
    session.flush()


def list_runs(
    session: Session, tenant: uuid.UUID, workflow_id: uuid.UUID, limit: int = 50
) -> list[WorkflowRun]:
    get_workflow(session, tenant, workflow_id)
    return list(
        session.scalars(
            select(WorkflowRun)
            .where(WorkflowRun.tenant == tenant, WorkflowRun.workflow_id == workflow_id)
            .order_by(WorkflowRun.started_at.desc(), WorkflowRun.id)
            .limit(limit)
        )
    )
