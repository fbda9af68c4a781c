"""The job bodies: each takes the runtime and plain JSON arguments, and opens its own
transactions (a job is an edge, like a request)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, NotFound, UpstreamError
from alertdesk.jobs.consumers import consumers
from alertdesk.runtime import Runtime, run_in_transaction
from alertdesk.services.automation import outbox
from alertdesk.services.huntress import poller as huntress_poller
from alertdesk.services.integrations import deliveries, outbound, polling
from alertdesk.services.integrations.client import IntegrationClient
from alertdesk.services.integrations.records import active_integrations_by_provider
from alertdesk.services.notifications import smtp
from alertdesk.services.workflows.actions import StepContext
from alertdesk.services.workflows.runs import execute_run

log = logging.getLogger(__name__)


class ResetsFailed(Exception):
    """Some vendor resets failed: raised so the job is retried with backoff."""


def deliver_events(runtime: Runtime, tenant: str) -> None:
    outbox.deliver_pending(
        runtime.database, uuid.UUID(tenant), consumers(runtime.settings), runtime.now()
    )


def run_workflow(runtime: Runtime, tenant: str, run_id: str) -> None:
    ctx = StepContext(uuid.UUID(tenant), runtime.now(), runtime.vendor.http)
    execute_run(runtime.database, ctx, uuid.UUID(run_id))


def send_email(runtime: Runtime, tenant: str, email_id: str) -> None:
    """Raises SendFailed while attempts remain: the job is retried with backoff."""
    settings = runtime.settings
    smtp.send_email(
        runtime.database, settings.smtp_url, settings.email_from, uuid.UUID(tenant),
        uuid.UUID(email_id), runtime.now(),
    )  # fmt: skip


def reset_ticket_alerts(runtime: Runtime, tenant: str, ticket_id: str) -> None:
    tenant_id = uuid.UUID(tenant)
    integrations = run_in_transaction(
        runtime.database, lambda s: active_integrations_by_provider(s, tenant_id)
    )
    adapters = {
        provider: IntegrationClient(runtime.database, runtime.vendor, tenant_id, integration_id)
        for provider, integration_id in integrations.items()
    }
    results = outbound.reset_alerts_for_ticket(
        runtime.database, tenant_id, uuid.UUID(ticket_id), adapters, runtime.now()
    )
    failed = [r for r in results if r.result == "failed"]
    if failed:
        raise ResetsFailed(f"{len(failed)} of {len(results)} resets failed: {failed[0].error}")


def poll_integration(runtime: Runtime, tenant: str, integration_id: str) -> None:
    """One reconciliation cycle (NinjaOne, Tactical)."""
    _logged_poll(runtime, polling.poll, tenant, integration_id)


def poll_huntress(runtime: Runtime, tenant: str, integration_id: str) -> None:
    """One Huntress cycle (its vendor failures are in its counts)."""
    _logged_poll(runtime, huntress_poller.poll, tenant, integration_id)


def _logged_poll(
    runtime: Runtime, poll: Callable[..., object], tenant: str, integration_id: str
) -> None:
    """A cycle whose outcome is logged; a busy or failing one is skipped: the next is its retry."""
    try:
        result = poll(
            runtime.database, runtime.vendor, uuid.UUID(tenant), uuid.UUID(integration_id),
            runtime.now(),
        )  # fmt: skip
    except (Conflict, NotFound, UpstreamError) as exc:
        log.warning("poll of integration %s skipped: %s", integration_id, exc.message)
        return
    log.info("poll of integration %s: %s", integration_id, result)


def queue_polls(runtime: Runtime) -> None:
    def queue(session: Session) -> None:
        polling.queue_due_polls(session, runtime.now())
        huntress_poller.queue_due_polls(session, runtime.now())

    run_in_transaction(runtime.database, queue)


def retry_deliveries(runtime: Runtime) -> None:
    result = deliveries.replay(runtime.database, None, None, runtime.now(), backoff=True)
    if result.attempted:
        log.info(
            "retried %d webhook deliveries: %d processed, %d still failing",
            result.attempted,
            result.processed,
            result.still_failing,
        )


def sweep_outbox(runtime: Runtime) -> None:
    queued = run_in_transaction(
        runtime.database, lambda s: outbox.requeue_stragglers(s, runtime.now())
    )
    if queued:
        log.warning("queued event delivery again for %d tenants (a delivery job was lost)", queued)


def prune_deliveries(runtime: Runtime) -> None:
    deliveries.prune(runtime.database, runtime.now(), runtime.settings.inbound_retention_days)
