"""Whether a ticket is untouched by people, so an alert reset may close it on its own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class TicketSnapshot:
    status_id: uuid.UUID
    default_status_id: uuid.UUID | None
    is_closed: bool
    human_comments: int
    time_entries: int
    status_changes_by_people: int


def is_untouched(ticket: TicketSnapshot) -> bool:
    """Still open, in its board's default status, with no human comment, time or status change.

    Assignment does not count: a rule (or a dispatcher) assigning the ticket is not work on it.
    """
    return (
        not ticket.is_closed
        and ticket.status_id == ticket.default_status_id
        and ticket.human_comments == 0
        and ticket.time_entries == 0
        and ticket.status_changes_by_people == 0
    )
