"""Alerts: list, read with the decision trace, create a ticket by hand; the event log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from alertdesk.core.actors import Actor
from alertdesk.core.types import Severity
from alertdesk.services.alerts import service as svc
from alertdesk.services.automation.events import list_events
from alertdesk.web.api.schemas import MAX_OFFSET, Input, Output
from alertdesk.web.api.ticket_schemas import TicketOut
from alertdesk.web.deps import CurrentUser, NowDep, SessionDep

router = APIRouter(tags=["alerts"])
AlertStatus = Literal["active", "acknowledged", "resolved", "auto_resolved", "suppressed"]


class AlertOut(Output):
    id: uuid.UUID
    integration_id: uuid.UUID
    external_alert_id: str
    external_device_id: str | None
    external_org_id: str | None
    asset_id: uuid.UUID | None
    client_id: uuid.UUID | None
    ticket_id: uuid.UUID | None
    severity: str
    status: str
    activity_type: str | None
    source_type: str | None
    alert_class: str | None
    message: str | None
    device_name: str | None
    dedup_key: str
    occurrence_count: int
    triggered_at: datetime
    last_occurrence_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    matched_rule_id: uuid.UUID | None
    suppressed_by_window_id: uuid.UUID | None
    auto_ticket_created: bool
    ingest_source: str
    # the reset sent to the RMM after a person closed the ticket: null (none asked), pending,
    # done, failed (retried; see outbound_error), opted_out (the rule said so), not_supported
    outbound_status: str | None
    outbound_error: str | None
    outbound_at: datetime | None


class AlertDetailOut(AlertOut):
    decision: dict[str, Any]
    raw: dict[str, Any]


class ManualTicketIn(Input):
    board_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    assign_to_user_id: uuid.UUID | None = None
    title_template: str | None = Field(default=None, max_length=500)
    description_template: str | None = Field(default=None, max_length=10_000)


class AlertTicketOut(TicketOut):
    # true: the alert joined the open ticket of its condition (same device and condition),
    # answered 200; false: a new ticket, answered 201
    joined: bool = False


class EventOut(Output):
    id: uuid.UUID
    type: str
    payload: dict[str, Any]
    created_at: datetime


@router.get("/alerts")
def list_alerts(
    session: SessionDep,
    user: CurrentUser,
    status: AlertStatus | None = None,
    integration_id: uuid.UUID | None = None,
    ticket_id: uuid.UUID | None = None,
    severity: Severity | None = None,
    client_id: uuid.UUID | None = None,
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> list[AlertOut]:
    f = svc.AlertFilter(status, integration_id, ticket_id, limit, offset, severity, client_id)
    return [AlertOut.model_validate(a) for a in svc.list_alerts(session, user.tenant, f)]


@router.get("/alerts/{alert_id}")
def get_alert(alert_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AlertDetailOut:
    return AlertDetailOut.model_validate(svc.get_alert(session, user.tenant, alert_id))


@router.post(
    "/alerts/{alert_id}/create-ticket",
    status_code=201,
    responses={200: {"description": "Joined its condition's open ticket", "model": AlertTicketOut}},
)
def create_ticket(
    alert_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    now: NowDep,
    response: Response,
    body: ManualTicketIn | None = None,
) -> AlertTicketOut:
    """A ticket for an alert without one; when another alert of the same condition already has
    an open ticket, the alert joins that ticket instead (200, `joined: true`)."""
    choice = svc.ManualTicket(**(body.model_dump() if body else {}))
    result = svc.ticket_for_alert(session, user.tenant, alert_id, choice, Actor.user(user.id), now)
    if result.joined:
        response.status_code = 200
    out = AlertTicketOut.model_validate(result.ticket)
    return out.model_copy(update={"joined": result.joined})


@router.get("/events")
def events(
    session: SessionDep,
    user: CurrentUser,
    type: str | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> list[EventOut]:
    return [EventOut.model_validate(e) for e in list_events(session, user.tenant, type, limit)]
