"""All tables, imported here so the metadata is complete for Alembic and the schema test."""

from alertdesk.storage.models.base import Base
from alertdesk.storage.models.people import ApiToken, Tenant, TicketSequence, User
from alertdesk.storage.models.reference import (
    Asset,
    AssetExternalRef,
    Board,
    Category,
    Client,
    Priority,
    TicketStatus,
)
from alertdesk.storage.models.tickets import (
    Ticket,
    TicketAsset,
    TicketComment,
    TicketHistory,
    TimeEntry,
)

__all__ = [
    "ApiToken",
    "Asset",
    "AssetExternalRef",
    "Base",
    "Board",
    "Category",
    "Client",
    "Priority",
    "Tenant",
    "Ticket",
    "TicketAsset",
    "TicketComment",
    "TicketHistory",
    "TicketSequence",
    "TicketStatus",
    "TimeEntry",
    "User",
]
