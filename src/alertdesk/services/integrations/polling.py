"""Reconciliation polling: the vendor's active alerts against ours, each difference through the
pipeline — a missed trigger, a missed reset, a suppressed alert whose window has ended. One
cycle per integration at a time (poll_lease), vendor calls with no transaction open, one
transaction per alert, so a failure half-way leaves every finished alert consistent."""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.reconcile import HELD, HeldAlert, Source, reconcile
from alertdesk.core.types import AlertEvent
from alertdesk.errors import Conflict, UpstreamError
from alertdesk.providers import get_provider
from alertdesk.providers.base import AlertFetcher, VendorError, WebhookContext
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.services.integrations.client import IntegrationClient
from alertdesk.services.integrations.poll_lease import release_lease, stamp_poll, take_lease
from alertdesk.services.integrations.records import Vendor, parse_settings
from alertdesk.storage.database import Database
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Alert, Integration

log = logging.getLogger(__name__)
POLL_TASK = "poll_integration"


@dataclass
class PollResult:
    """What one cycle did (API.md): vendor-active alerts seen; new tickets; alerts joined to
    an open ticket; stored without a ticket; resets synthesized; suppressed ones re-run;
    alerts that failed to process (retried by the next cycle)."""

    fetched: int = 0
    created: int = 0
    joined: int = 0
    recorded: int = 0
    resolved: int = 0
    reprocessed: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def poll(
    database: Database, vendor: Vendor, tenant: uuid.UUID, integration_id: uuid.UUID, now: datetime
) -> PollResult:
    """One cycle. Conflict while another runs (or for a provider that cannot be polled);
    UpstreamError when the vendor fails (recorded on the integration, nothing applied)."""
    with database.transaction() as session:
        integration = take_lease(session, tenant, integration_id, now)
        source = Source(tenant, integration_id, integration.provider)
        severity = parse_settings(integration.settings).default_severity
    try:
        # read before the vendor is asked: an alert a webhook adds meanwhile is not "gone"
        with database.transaction() as session:
            held = held_alerts(session, tenant, integration_id)
        fetched = _fetch(
            database, vendor, source, WebhookContext(tenant, integration_id, severity, now)
        )
        plan = reconcile(source, fetched, held, now)
        result = PollResult(fetched=len(fetched))
        for event in plan.new:
            outcome = _run(database, event, now, result)
            if outcome == "ticket_created":
                result.created += 1
            elif outcome == "occurrence_appended":
                result.joined += 1
            elif outcome not in (None, "skipped"):
                result.recorded += 1
        for event in plan.reprocess:  # counted when it left suppression (its window ended)
            outcome = _run(database, event, now, result, reprocess=True)
            result.reprocessed += outcome not in (None, "skipped", "suppressed")
        for event in plan.gone:
            result.resolved += _run(database, event, now, result) is not None
        with database.transaction() as session:
            stamp_poll(session, tenant, integration_id, now, error=None)
        return result
    finally:
        with database.transaction() as session:
            release_lease(session, tenant, integration_id, integration)


def held_alerts(session: Session, tenant: uuid.UUID, integration_id: uuid.UUID) -> list[HeldAlert]:
    rows = session.execute(
        select(
            Alert.id, Alert.external_alert_id, Alert.dedup_key, Alert.status, Alert.external_org_id
        ).where(
            Alert.tenant == tenant, Alert.integration_id == integration_id, Alert.status.in_(HELD)
        )
    )
    return [HeldAlert(*row) for row in rows]


def _run(
    database: Database,
    event: AlertEvent,
    now: datetime,
    result: PollResult,
    reprocess: bool = False,
) -> str | None:
    """The event through the pipeline in its own transaction: its outcome, or None (counted as
    an error, logged) when it failed — the next cycle tries it again."""
    try:
        with database.transaction() as session:
            outcome = process_alert_event(
                session, event, now, ingest_source="poll", reprocess_suppressed=reprocess
            )
    except Exception:
        log.exception("poll of %s: alert %s failed", event.provider, event.external_alert_id)
        result.errors += 1
        return None
    return outcome.outcome


def _fetch(
    database: Database, vendor: Vendor, source: Source, ctx: WebhookContext
) -> list[AlertEvent]:
    client = IntegrationClient(database, vendor, source.tenant, source.integration_id)
    if not client.spec.fetches_alerts:
        raise Conflict(f"{client.spec.label} alerts cannot be polled.")
    try:
        return list(client.call(lambda api: _as_fetcher(api).fetch_active_alerts(ctx)))
    except VendorError as exc:
        with database.transaction() as session:
            stamp_poll(
                session, source.tenant, source.integration_id, ctx.now, str(exc), exc.is_auth_error
            )
        raise UpstreamError(f"{client.spec.label} did not answer the poll: {exc}") from exc


def _as_fetcher(api: object) -> AlertFetcher:
    assert isinstance(api, AlertFetcher)  # the spec said fetches_alerts
    return api


def next_poll_at(integration: Integration) -> datetime | None:
    """When the schedule polls this integration next (None: it is not polled)."""
    spec = get_provider(integration.provider)
    if not integration.is_active or spec is None or not spec.fetches_alerts:
        return None
    if integration.sync_status == "error":  # refused credentials: reconnecting resumes it
        return None
    polling = parse_settings(integration.settings).polling
    if not polling.enabled:
        return None
    if integration.last_poll_at is None:
        return integration.connected_at or integration.created_at
    return integration.last_poll_at + timedelta(minutes=polling.interval_minutes)


def queue_due_polls(session: Session, now: datetime) -> int:
    """Queue a cycle for every integration whose next poll is due (reads every tenant: the
    periodic scheduler); at most one waiting per integration. How many were queued."""
    integrations = session.scalars(
        select(Integration).where(
            Integration.is_active, Integration.credentials_encrypted.is_not(None)
        )
    )
    queued = 0
    for integration in integrations:
        due = next_poll_at(integration)
        if due is not None and due <= now:
            args = {"tenant": str(integration.tenant), "integration_id": str(integration.id)}
            defer(session, POLL_TASK, args, queueing_lock=f"poll:{integration.id}")
            queued += 1
    return queued
