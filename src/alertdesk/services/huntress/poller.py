"""One Huntress poll cycle (seed Task 10, done cheaper): skip until routing is complete; walk
the incident pages back to the cursor; look up each agent and unknown organization once —
paging the lists instead when many are needed; process incidents oldest first, one
transaction each, stopping at the first failure; move the cursor only past successes."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.huntress.cursor import (
    IncidentPage,
    advance_cursor,
    incident_updated_at,
    walk_boundary,
    walk_pages,
)
from alertdesk.core.huntress.settings import is_poll_due, parse_settings, routing_complete
from alertdesk.providers.base import VendorError
from alertdesk.providers.huntress.api import HuntressApi, HuntressCredentials, Page
from alertdesk.services.huntress.processor import Source, field_text, process_incident
from alertdesk.services.integrations.poll_lease import release_lease, stamp_poll, take_lease
from alertdesk.services.integrations.records import Vendor
from alertdesk.storage.database import Database
from alertdesk.storage.job_queue import defer
from alertdesk.storage.models import Integration, OrgMapping

log = logging.getLogger(__name__)
# Beyond this many records to look up one by one, paging the whole list costs fewer requests.
LOOKUP_LIMIT = 25


@dataclass
class HuntressPollResult:
    """API.md's poll answer: incidents read; tickets created; notes added; tickets closed;
    recorded without a ticket; skipped (unchanged); failures; requests made to Huntress."""

    fetched: int = 0
    created: int = 0
    noted: int = 0
    closed: int = 0
    recorded: int = 0
    skipped: int = 0
    errors: int = 0
    api_requests: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


ROUTING_INCOMPLETE = {"skipped": True, "reason": "routing incomplete"}


def poll(
    database: Database, vendor: Vendor, tenant: uuid.UUID, integration_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    """One cycle; Conflict while another runs. A vendor failure is recorded on the integration
    and answered in the counts (`errors`), with the cursor where it was."""
    with database.transaction() as session:
        integration = take_lease(session, tenant, integration_id, now)
        api, source = _connected(integration, vendor)
    try:
        if not routing_complete(source.settings):
            return ROUTING_INCOMPLETE
        result = HuntressPollResult()
        try:
            _cycle(database, api, source, result, now)
        finally:
            result.api_requests = api.requests
        return dict(result.as_dict())
    finally:
        with database.transaction() as session:
            release_lease(session, tenant, integration_id, integration)


def _connected(integration: Integration, vendor: Vendor) -> tuple[HuntressApi, Source]:
    creds = HuntressCredentials.model_validate(
        vendor.vault.decrypt_json(integration.credentials_encrypted or "")
    )
    api = HuntressApi(integration.instance_url or "", creds, vendor.http)
    settings = parse_settings(integration.settings)
    source = Source(integration.tenant, integration.id, settings, settings.account_subdomain)
    return api, source


def _cycle(
    database: Database, api: HuntressApi, source: Source, result: HuntressPollResult, now: datetime
) -> None:
    boundary = walk_boundary(source.settings.incident_cursor, source.settings.backfill_days, now)
    try:
        walk = walk_pages(_pages(api), boundary)
        incidents = list(walk.incidents)
        agents = _lookup(api.agent, api.agents_page, {field_text(i, "agent_id") for i in incidents})
        with database.transaction() as session:
            known = _known_orgs(session, source)
        unknown = {field_text(i, "organization_id") for i in incidents} - known
        orgs = _lookup(api.organization, api.organizations_page, unknown)
        names = {org_id: str(org.get("name") or "") for org_id, org in orgs.items()}
    except VendorError as exc:
        result.errors += 1
        passing = exc.status in (None, 429) or (exc.status or 0) >= 500
        _finish(database, source, None, now, str(exc), mark_error=not passing)
        return
    result.fetched = len(incidents)
    cursor = source.settings.incident_cursor
    error: str | None = None
    for incident in incidents:
        try:
            with database.transaction() as session:
                done = process_incident(
                    session, source, incident, agents.get(field_text(incident, "agent_id")),
                    names.get(field_text(incident, "organization_id")), now,
                )  # fmt: skip
        except Exception as exc:  # stop here: this incident is retried first next cycle
            log.exception("Huntress incident %s failed", incident.get("id"))
            result.errors += 1
            error = f"incident {incident.get('id')}: {exc}"
            break
        _count(result, done.action, done.closed)
        updated_at = incident_updated_at(incident)
        if updated_at is not None:
            cursor = advance_cursor(cursor, updated_at)
    _finish(database, source, cursor, now, error)


def _pages(api: HuntressApi) -> Iterator[IncidentPage]:
    token: str | None = None
    while True:
        page = api.incident_reports_page(token)
        yield IncidentPage(tuple(page.items), page.next_token)
        if page.next_token is None:
            return
        token = page.next_token


def _lookup(
    one: Callable[[str], dict[str, Any] | None],
    page: Callable[[str | None], Page],
    wanted: set[str],
) -> dict[str, dict[str, Any]]:
    """The records with these ids, each asked once: one by one for a few, else by paging the
    whole list (500 a page) until all are found."""
    wanted.discard("")
    found: dict[str, dict[str, Any]] = {}
    if len(wanted) <= LOOKUP_LIMIT:
        for record_id in sorted(wanted):
            record = one(record_id)
            if record is not None:
                found[record_id] = record
        return found
    token: str | None = None
    while wanted - found.keys():
        listed = page(token)
        found |= {str(r["id"]): r for r in listed.items if str(r.get("id")) in wanted}
        if listed.next_token is None:
            break
        token = listed.next_token
    return found


def _known_orgs(session: Session, source: Source) -> set[str]:
    return set(
        session.scalars(
            select(OrgMapping.external_org_id).where(
                OrgMapping.tenant == source.tenant,
                OrgMapping.integration_id == source.integration_id,
            )
        )
    )


def _count(result: HuntressPollResult, action: str, closed: bool) -> None:
    if action == "create_ticket":
        result.created += 1
    elif action == "append_note":
        result.noted += 1
        result.closed += closed
    elif action == "record_only":
        result.recorded += 1
    else:
        result.skipped += 1


def _finish(
    database: Database,
    source: Source,
    cursor: datetime | None,
    now: datetime,
    error: str | None,
    mark_error: bool = True,
) -> None:
    """Stamp the cycle (a failure marks the integration `error`, but for a passing vendor
    failure); the cursor is written into settings re-read now (an admin may have
    changed routing meanwhile), and only forward."""
    with database.transaction() as session:
        integration = session.get_one(
            Integration, (source.tenant, source.integration_id), with_for_update=True
        )
        if cursor is not None:
            current = parse_settings(integration.settings).incident_cursor
            newest = cursor if current is None else max(cursor, current)
            integration.settings = {**integration.settings, "incident_cursor": newest.isoformat()}
        stamp_poll(session, source.tenant, source.integration_id, now, error, mark_error)


POLL_TASK = "poll_huntress"


def queue_due_polls(session: Session, now: datetime) -> int:
    """Queue a cycle for each connected Huntress integration whose interval has passed (reads
    every tenant: the periodic scheduler); at most one waiting each. How many were queued."""
    integrations = session.scalars(
        select(Integration).where(
            Integration.provider == "huntress",
            Integration.is_active,
            Integration.credentials_encrypted.is_not(None),
        )
    )
    queued = 0
    for integration in integrations:
        settings = parse_settings(integration.settings)
        if is_poll_due(integration.last_poll_at, settings.poll_interval_minutes, now):
            args = {"tenant": str(integration.tenant), "integration_id": str(integration.id)}
            defer(session, POLL_TASK, args, queueing_lock=f"poll:{integration.id}")
            queued += 1
    return queued
