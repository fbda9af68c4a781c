"""Who acts on which event after commit: the outbox's consumers, in one list."""

from __future__ import annotations

from alertdesk.services.automation.events import TICKET_CLOSED
from alertdesk.services.automation.outbox import Consumer
from alertdesk.services.integrations.outbound import on_ticket_closed

CONSUMERS = (Consumer("outbound_reset", frozenset({TICKET_CLOSED}), on_ticket_closed),)
