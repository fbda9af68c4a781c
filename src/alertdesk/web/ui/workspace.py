"""Names for the ids on a ticket page: one load of the tenant's reference data per request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alertdesk.services.accounts.users import list_users
from alertdesk.services.tickets import boards
from alertdesk.services.tickets import reference as ref
from alertdesk.storage.models import Board, Client, Priority, TicketStatus, User


@dataclass
class Lookups:
    boards: list[tuple[Board, list[TicketStatus]]]
    priorities: list[Priority]
    users: list[User]
    clients: list[Client]

    @classmethod
    def load(cls, session: Session, tenant: uuid.UUID) -> Lookups:
        return cls(
            boards.list_boards(session, tenant),
            boards.list_priorities(session, tenant),
            list_users(session, tenant),
            ref.list_clients(session, tenant),
        )

    @property
    def statuses(self) -> dict[uuid.UUID, TicketStatus]:
        return {s.id: s for _, statuses in self.boards for s in statuses}

    def statuses_of(self, board_id: uuid.UUID) -> list[TicketStatus]:
        return next((s for b, s in self.boards if b.id == board_id), [])

    @property
    def board_names(self) -> dict[uuid.UUID, str]:
        return {b.id: b.name for b, _ in self.boards}

    @property
    def priority_by_id(self) -> dict[uuid.UUID, Priority]:
        return {p.id: p for p in self.priorities}

    @property
    def user_names(self) -> dict[uuid.UUID, str]:
        return {u.id: u.name for u in self.users}

    @property
    def client_names(self) -> dict[uuid.UUID, str]:
        return {c.id: c.name for c in self.clients}

    def name_of(self, field: str, value: str | None) -> str:
        """Display name of a history value (status, priority or assignee id)."""
        if value is None:
            return "nobody" if field == "assignee" else "none"
        key = uuid.UUID(value)
        if field == "status":
            status = self.statuses.get(key)
            return status.name if status else "a removed status"
        if field == "priority":
            priority = self.priority_by_id.get(key)
            return priority.name if priority else "a removed priority"
        return self.user_names.get(key, "a removed user")
