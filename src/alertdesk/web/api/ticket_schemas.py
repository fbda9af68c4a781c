"""JSON shapes of tickets, comments and time entries."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from alertdesk.web.api.schemas import Input, Output


class TicketIn(Input):
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=100_000)
    client_id: uuid.UUID
    board_id: uuid.UUID | None = None
    status_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    asset_ids: list[uuid.UUID] = []
    source_reference: str | None = Field(default=None, max_length=500)


class TicketPatch(Input):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    status_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None


class CloseIn(Input):
    status_id: uuid.UUID | None = None


class CommentIn(Input):
    body: str = Field(min_length=1, max_length=100_000)
    is_internal: bool = True


class CommentOut(Output):
    id: uuid.UUID
    body: str
    is_internal: bool
    is_system: bool
    author_id: uuid.UUID | None
    created_at: datetime


class TimeEntryIn(Input):
    minutes: int = Field(gt=0, le=24 * 60)
    note: str = Field(default="", max_length=10_000)


class TimeEntryOut(Output):
    id: uuid.UUID
    user_id: uuid.UUID
    minutes: int
    note: str
    created_at: datetime


class HistoryOut(Output):
    id: uuid.UUID
    field: str
    old_value: str | None
    new_value: str | None
    actor_kind: str
    actor_user_id: uuid.UUID | None
    created_at: datetime


class TicketOut(Output):
    id: uuid.UUID
    number: str
    title: str
    description: str
    client_id: uuid.UUID
    board_id: uuid.UUID
    status_id: uuid.UUID
    priority_id: uuid.UUID
    category_id: uuid.UUID | None
    assigned_to: uuid.UUID | None
    source: str
    source_reference: str | None
    is_closed: bool
    closed_at: datetime | None
    closed_by_kind: str | None
    closed_by_user_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class TicketDetailOut(TicketOut):
    comments: list[CommentOut]
    time_entries: list[TimeEntryOut]
    history: list[HistoryOut]
    asset_ids: list[uuid.UUID]
    alerts: list[dict[str, object]]
    total_minutes: int
