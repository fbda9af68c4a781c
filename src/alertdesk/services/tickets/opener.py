"""The one ticket opener: every source (a person, a rule, the alert action, Huntress, workflows)
builds a TicketDraft; open_ticket writes the ticket, its asset links, the first note and the
TICKET_CREATED event, all in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.services.automation import events
from alertdesk.storage.direct import Direct
from alertdesk.storage.models import Ticket, TicketAsset, TicketComment
from alertdesk.storage.rows import columns_of, insert_new, new_row, persistent
from alertdesk.storage.ticket_numbers import NEXT_NUMBER, SEQUENCE, sequence_name

# built once: the number drawn by the INSERT itself, every other column a parameter
_GIVEN = ("tenant", "id", "title", "description", "client_id", "board_id", "status_id",
          "priority_id", "category_id", "assigned_to", "source", "source_reference",
          "created_at", "updated_at")  # fmt: skip
_OPEN = Direct(
    insert(Ticket).values(number=NEXT_NUMBER).returning(*columns_of(Ticket)),
    column_keys=list(_GIVEN),
)


@dataclass(frozen=True)
class TicketDraft:
    """A ticket whose every reference was already checked by the source that built it."""

    client_id: uuid.UUID
    title: str
    description: str
    board_id: uuid.UUID
    status_id: uuid.UUID
    priority_id: uuid.UUID
    source: str
    source_reference: str | None = None
    category_id: uuid.UUID | None = None
    assigned_to: uuid.UUID | None = None
    asset_ids: Sequence[uuid.UUID] = ()
    first_note: str | None = None  # an internal note by the system, e.g. where it came from


def open_ticket(
    session: Session, tenant: uuid.UUID, draft: TicketDraft, actor: Actor, now: datetime
) -> Ticket:
    """The ticket row first (its number drawn by the same INSERT): links, comments and alerts
    refer to it."""
    values = {
        "tenant": tenant, "id": uuid.uuid4(), SEQUENCE: sequence_name(tenant),
        "title": draft.title, "description": draft.description, "client_id": draft.client_id,
        "board_id": draft.board_id, "status_id": draft.status_id,
        "priority_id": draft.priority_id, "category_id": draft.category_id,
        "assigned_to": draft.assigned_to, "source": draft.source,
        "source_reference": draft.source_reference, "created_at": now, "updated_at": now,
    }  # fmt: skip
    row = _OPEN.row(session, values)
    assert row is not None  # an INSERT … RETURNING returns its row
    ticket = persistent(session, Ticket, row)
    for asset_id in dict.fromkeys(draft.asset_ids):
        insert_new(
            session, new_row(TicketAsset, tenant=tenant, ticket_id=ticket.id, asset_id=asset_id)
        )
    if draft.first_note:
        add_system_note(session, tenant, ticket.id, draft.first_note, now)
    payload = {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "client_id": ticket.client_id,
        "source": ticket.source,
        "actor_kind": actor.kind,
        "actor_user_id": actor.user_id,
    }
    events.publish(session, tenant, events.TICKET_CREATED, payload, now)
    return ticket


def add_system_note(
    session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID, body: str, now: datetime
) -> None:
    """An internal comment by the system (it never makes a ticket "touched"), written with the
    transaction's next statement."""
    insert_new(
        session,
        new_row(
            TicketComment,
            tenant=tenant,
            id=uuid.uuid4(),
            ticket_id=ticket_id,
            body=body,
            is_internal=True,
            is_system=True,
            author_id=None,
            created_at=now,
        ),
    )
