"""All tables, imported here so the metadata is complete for Alembic and the schema test."""

from alertdesk.storage.models import config_version  # noqa: F401  (registers its listener)
from alertdesk.storage.models.alerts import (
    Alert,
    AlertLock,
    AlertRule,
    Event,
    EventDelivery,
    MaintenanceWindow,
)
from alertdesk.storage.models.automation import (
    EmailMessage,
    Notification,
    NotificationPreference,
    Workflow,
    WorkflowRun,
)
from alertdesk.storage.models.base import Base
from alertdesk.storage.models.integrations import (
    InboundEvent,
    Integration,
    OAuthState,
    OrgMapping,
)
from alertdesk.storage.models.people import (
    ApiToken,
    Tenant,
    User,
    UserSession,
)
from alertdesk.storage.models.reference import (
    Asset,
    AssetExternalRef,
    Board,
    Category,
    Client,
    Priority,
    TicketStatus,
)
from alertdesk.storage.models.routes import EmailRoute, IntegrationRoute
from alertdesk.storage.models.tickets import (
    Ticket,
    TicketAsset,
    TicketComment,
    TicketHistory,
    TimeEntry,
)

__all__ = [
    "Alert",
    "AlertLock",
    "AlertRule",
    "ApiToken",
    "Asset",
    "AssetExternalRef",
    "Base",
    "Board",
    "Category",
    "Client",
    "EmailMessage",
    "EmailRoute",
    "Event",
    "EventDelivery",
    "InboundEvent",
    "Integration",
    "IntegrationRoute",
    "MaintenanceWindow",
    "Notification",
    "NotificationPreference",
    "OAuthState",
    "OrgMapping",
    "Priority",
    "Tenant",
    "Ticket",
    "TicketAsset",
    "TicketComment",
    "TicketHistory",
    "TicketStatus",
    "TimeEntry",
    "User",
    "UserSession",
    "Workflow",
    "WorkflowRun",
]
