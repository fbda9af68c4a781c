"""Who acts on which event after commit: the outbox's consumers, in one list."""

from __future__ import annotations

from functools import partial

from alertdesk.services.automation.events import TICKET_CLOSED, TICKET_CREATED
from alertdesk.services.automation.outbox import Consumer
from alertdesk.services.integrations.outbound import on_ticket_closed
from alertdesk.services.notifications.alert_notices import on_ticket_created, read_notices
from alertdesk.services.workflows.definitions import TRIGGERS
from alertdesk.services.workflows.runs import start_runs
from alertdesk.settings import Settings

DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # links in emails without ALERTDESK_BASE_URL


def consumers(settings: Settings) -> tuple[Consumer, ...]:
    base_url = settings.base_url or DEFAULT_BASE_URL
    return (
        Consumer("outbound_reset", frozenset({TICKET_CLOSED}), on_ticket_closed),
        Consumer(
            "alert_notices",
            frozenset({TICKET_CREATED}),
            partial(on_ticket_created, base_url=base_url),
            read_notices,
        ),
        Consumer("workflows", frozenset(TRIGGERS), start_runs),
    )
