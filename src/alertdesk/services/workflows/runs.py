"""Running workflows. The outbox hands each event to `start_runs`, which records one pending
run per matching workflow (unique per workflow and event) and queues its job; the job runs
the steps in order — a database step in one transaction with its record on the run, so a run
resumed after a crash starts at the first unrecorded step — and stops at the first failure."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import String, Uuid, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from alertdesk.core.workflows import WorkflowFilter, fill, filter_matches
from alertdesk.services.workflows.actions import ACTIONS, StepContext, StepFailed
from alertdesk.storage.database import Database, read_once
from alertdesk.storage.direct import Direct
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Event, Workflow, WorkflowRun
from alertdesk.storage.rows import columns_of, detached

RUN_TASK = "run_workflow"
log = logging.getLogger(__name__)


def start_runs(session: Session, event: Event, now: datetime) -> None:
    """The outbox consumer: a run for each active workflow of this trigger whose filter passes."""
    for workflow in _active(session, event.tenant, event.type):
        try:
            wanted = filter_matches(WorkflowFilter.model_validate(workflow.filter), event.payload)
        except (ValidationError, ValueError):
            wanted = True  # a filter broken since it was saved: the run fails, visibly
        if wanted:
            _queue(session, workflow, event, now)


_ACTIVE = Direct(  # built once: read for every batch of events
    select(*columns_of(Workflow)).where(
        Workflow.tenant == bindparam("tenant", type_=Uuid),
        Workflow.is_active,
        Workflow.trigger == bindparam("trigger", type_=String),
    )
)


def _active(session: Session, tenant: uuid.UUID, trigger: str) -> list[Workflow]:
    """The tenant's active workflows of a trigger, read once per transaction: the outbox hands
    a batch of events to `start_runs` in one, and most tenants have no workflow for most.
    Read to match and name, not to change: not in the session."""

    def read() -> list[Workflow]:
        found = _ACTIVE.rows(session, {"tenant": tenant, "trigger": trigger})
        return [detached(Workflow, row) for row in found]

    return read_once(session, "active_workflows", (tenant, trigger), read)


def _queue(session: Session, workflow: Workflow, event: Event, now: datetime) -> None:
    run_id = session.scalar(
        insert(WorkflowRun)
        .values(
            tenant=event.tenant, id=uuid.uuid4(), workflow_id=workflow.id, event_id=event.id,
            status="pending", steps=[], started_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant", "workflow_id", "event_id"])
        .returning(WorkflowRun.id)
    )  # fmt: skip
    if run_id is not None:
        defer(session, RUN_TASK, {"tenant": str(event.tenant), "run_id": str(run_id)})


def execute_run(database: Database, ctx: StepContext, run_id: uuid.UUID) -> str:
    """Run (or resume) one run; its final status."""
    with database.transaction() as session:
        loaded = _claim(session, ctx.tenant, run_id)
        if loaded is None:
            return "done"
        steps, payload, done = loaded
    ctx = replace(ctx, event=payload)
    for index in range(done, len(steps)):
        step = steps[index]
        record = _step(database, ctx, run_id, step, payload)
        if record["status"] == "failed":
            return _finish(database, ctx, run_id, "failed")
    return _finish(database, ctx, run_id, "succeeded")


def _claim(
    session: Session, tenant: uuid.UUID, run_id: uuid.UUID
) -> tuple[list[dict[str, Any]], dict[str, Any], int] | None:
    run = session.scalar(
        select(WorkflowRun)
        .where(WorkflowRun.tenant == tenant, WorkflowRun.id == run_id)
        .with_for_update()
    )
    if run is None or run.status not in ("pending", "running"):
        return None
    workflow = session.get_one(Workflow, (tenant, run.workflow_id))
    event = session.get_one(Event, (tenant, run.event_id))
    run.status = "running"
    payload = {**event.payload, "event_id": str(event.id), "event_type": event.type}
    return list(workflow.steps), payload, len(run.steps)


def _step(
    database: Database, ctx: StepContext, run_id: uuid.UUID, step: dict[str, Any],
    payload: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """One step, recorded on the run (in the same transaction when it is a database step)."""
    name = str(step.get("action"))
    action = ACTIONS.get(name)
    record: dict[str, Any] = {"action": name, "status": "failed", "output": None, "error": None}
    try:
        if action is None:
            raise StepFailed(f"unknown action {name!r}")
        inputs = _inputs(action.inputs, step.get("inputs") or {}, payload)
        if not action.in_transaction:
            record |= {"status": "succeeded", "output": action.run(None, ctx, inputs)}
        else:
            with database.transaction() as session:
                record |= {"status": "succeeded", "output": action.run(session, ctx, inputs)}
                _record(session, ctx.tenant, run_id, record)
                return record
    except StepFailed as exc:
        record |= {"status": "failed", "error": str(exc)}
    except Exception as exc:  # a bug or an outage: recorded, not retried (the run would repeat)
        log.exception("workflow run %s: step %s failed", run_id, name)
        record |= {"status": "failed", "error": f"unexpected error ({type(exc).__name__})"}
    with database.transaction() as session:
        _record(session, ctx.tenant, run_id, record)
    return record


def _inputs(model: Any, raw: dict[str, Any], payload: dict[str, Any]) -> Any:
    try:
        return model.model_validate(fill(raw, payload))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "inputs"
        raise StepFailed(f"input {where!r}: {first['msg']}") from None


def _record(session: Session, tenant: uuid.UUID, run_id: uuid.UUID, record: dict[str, Any]) -> None:
    run = session.get_one(WorkflowRun, (tenant, run_id))
    run.steps = [*run.steps, record]


def _finish(database: Database, ctx: StepContext, run_id: uuid.UUID, status: str) -> str:
    with database.transaction() as session:
        run = session.get_one(WorkflowRun, (ctx.tenant, run_id))
        run.status, run.finished_at = status, ctx.now
    return status
