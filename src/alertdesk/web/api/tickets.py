"""Ticket endpoints: list, read, create, change, comment, log time, close."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, status

from alertdesk.core.actors import Actor
from alertdesk.services.alerts.service import AlertFilter, list_alerts
from alertdesk.services.tickets import service as svc
from alertdesk.services.tickets import work
from alertdesk.web.api.alerts import AlertOut
from alertdesk.web.api.schemas import MAX_OFFSET
from alertdesk.web.api.ticket_schemas import (
    CloseIn,
    CommentIn,
    CommentOut,
    HistoryOut,
    TicketDetailOut,
    TicketIn,
    TicketOut,
    TicketPatch,
    TimeEntryIn,
    TimeEntryOut,
)
from alertdesk.web.deps import CurrentUser, NowDep, SessionDep

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("")
def list_tickets(
    session: SessionDep,
    user: CurrentUser,
    state: Literal["open", "closed"] | None = Query(default=None, alias="status"),
    client_id: uuid.UUID | None = None,
    board_id: uuid.UUID | None = None,
    source: str | None = None,
    assigned_to: uuid.UUID | None = None,
    q: str | None = None,
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> list[TicketOut]:
    f = svc.TicketFilter(state, client_id, board_id, source, assigned_to, q, limit, offset)
    return [TicketOut.model_validate(t) for t in svc.list_tickets(session, user.tenant, f)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_ticket(body: TicketIn, session: SessionDep, user: CurrentUser, now: NowDep) -> TicketOut:
    new = svc.NewTicket(**body.model_dump(), source="api")
    ticket = svc.create_ticket(session, user.tenant, new, Actor.user(user.id), now)
    return TicketOut.model_validate(ticket)


def _detail(session: SessionDep, tenant: uuid.UUID, ticket_id: uuid.UUID) -> TicketDetailOut:
    detail = svc.get_ticket_detail(session, tenant, ticket_id)
    return TicketDetailOut(
        **TicketOut.model_validate(detail.ticket).model_dump(),
        comments=[CommentOut.model_validate(c) for c in detail.comments],
        time_entries=[TimeEntryOut.model_validate(e) for e in detail.time_entries],
        history=[HistoryOut.model_validate(h) for h in detail.history],
        asset_ids=detail.asset_ids,
        alerts=[
            AlertOut.model_validate(a).model_dump(mode="json")
            for a in list_alerts(session, tenant, AlertFilter(ticket_id=ticket_id))
        ],
        total_minutes=detail.total_minutes,
    )


@router.get("/{ticket_id}")
def get_ticket(ticket_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> TicketDetailOut:
    return _detail(session, user.tenant, ticket_id)


@router.patch("/{ticket_id}")
def patch_ticket(
    ticket_id: uuid.UUID, body: TicketPatch, session: SessionDep, user: CurrentUser, now: NowDep
) -> TicketOut:
    changes = work.TicketChanges(
        title=body.title,
        status_id=body.status_id,
        priority_id=body.priority_id,
        assigned_to=body.assigned_to,
        unassign="assigned_to" in body.model_fields_set and body.assigned_to is None,
    )
    ticket = work.update_ticket(session, user.tenant, ticket_id, changes, Actor.user(user.id), now)
    return TicketOut.model_validate(ticket)


@router.post("/{ticket_id}/comments", status_code=status.HTTP_201_CREATED)
def post_comment(
    ticket_id: uuid.UUID, body: CommentIn, session: SessionDep, user: CurrentUser, now: NowDep
) -> CommentOut:
    comment = work.add_comment(
        session,
        user.tenant,
        ticket_id,
        body.body,
        is_internal=body.is_internal,
        actor=Actor.user(user.id),
        now=now,
    )
    return CommentOut.model_validate(comment)


@router.post("/{ticket_id}/time-entries", status_code=status.HTTP_201_CREATED)
def post_time_entry(
    ticket_id: uuid.UUID, body: TimeEntryIn, session: SessionDep, user: CurrentUser, now: NowDep
) -> TimeEntryOut:
    entry = work.add_time_entry(
        session, user.tenant, ticket_id, user.id, body.minutes, body.note, now
    )
    return TimeEntryOut.model_validate(entry)


@router.post("/{ticket_id}/close")
def close_ticket(
    ticket_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    now: NowDep,
    body: CloseIn | None = None,
) -> TicketOut:
    status_id = body.status_id if body else None
    ticket = work.close_ticket(session, user.tenant, ticket_id, Actor.user(user.id), now, status_id)
    return TicketOut.model_validate(ticket)
