"""One Huntress incident in one transaction (seed Task 8): its alert row under its lock, the
mapping of its organization (discovered when new), then what the planner decides — a routed,
self-contained ticket, a note (and a close), a record without a ticket, or nothing. Vendor
lookups (agent, organization name) are done by the caller before, with no transaction open."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM
from alertdesk.core.dedup import alert_lock_key
from alertdesk.core.huntress import content
from alertdesk.core.huntress.cursor import incident_updated_at
from alertdesk.core.huntress.plan import (
    DECISION_OUTCOME,
    LAST_PROCESSED_KEY,
    AppendNote,
    CreateTicket,
    ExistingAlert,
    IncidentAction,
    RecordOnly,
    Skip,
    is_closed_status,
    plan_incident_action,
)
from alertdesk.core.huntress.plan import (
    OrgMapping as PlannedMapping,
)
from alertdesk.core.huntress.settings import HuntressSettings, parse_time
from alertdesk.core.types import Severity
from alertdesk.errors import InvalidField
from alertdesk.services.automation import events
from alertdesk.services.tickets.opener import TicketDraft, add_system_note, open_ticket
from alertdesk.services.tickets.work import close_ticket
from alertdesk.storage.alert_queries import lock_alert_keys
from alertdesk.storage.models import (
    Alert,
    Asset,
    AssetExternalRef,
    OrgMapping,
    Ticket,
    TicketStatus,
)

PROVIDER = "huntress"
SEVERITY: dict[str, Severity] = {"critical": "critical", "high": "major", "low": "minor"}


@dataclass(frozen=True)
class Source:
    """The integration an incident belongs to, as the poller read it for this cycle."""

    tenant: uuid.UUID
    integration_id: uuid.UUID
    settings: HuntressSettings
    subdomain: str | None


@dataclass(frozen=True)
class Processed:
    action: str  # create_ticket, append_note, record_only, skip
    alert_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = None
    closed: bool = False  # the note closed the ticket too


def process_incident(
    session: Session,
    source: Source,
    incident: Mapping[str, Any],
    agent: Mapping[str, Any] | None,
    organization_name: str | None,
    now: datetime,
) -> Processed:
    """Raises ValueError when a ticket is due but routing is incomplete (nothing written)."""
    if incident.get("status") == "deleting":  # the planner skips it whatever we hold
        return Processed("skip")
    incident_id = str(incident.get("id"))
    lock_alert_keys(session, source.tenant, source.integration_id, [alert_lock_key(incident_id)])
    alert = session.scalar(
        select(Alert).where(
            Alert.tenant == source.tenant,
            Alert.integration_id == source.integration_id,
            Alert.external_alert_id == incident_id,
        )
    )
    mapping = _mapping(session, source, incident, organization_name, now)
    existing = (
        None
        if alert is None
        else ExistingAlert.from_row(alert.ticket_id, _status(alert), alert.raw)
    )
    planned = PlannedMapping(mapping.client_id, mapping.auto_create_tickets) if mapping else None
    action = plan_incident_action(incident, existing, planned, source.settings)
    found = Found(incident, alert, agent, organization_name, mapping.client_id if mapping else None)
    return _carry_out(session, source, action, found, now)


@dataclass(frozen=True)
class Found:
    """What is known of one incident: the report, its alert row, agent and organization (its
    client when the organization is mapped)."""

    incident: Mapping[str, Any]
    alert: Alert | None
    agent: Mapping[str, Any] | None
    organization_name: str | None
    client_id: uuid.UUID | None


def _carry_out(
    session: Session, source: Source, action: IncidentAction, found: Found, now: datetime
) -> Processed:
    incident, alert, agent = found.incident, found.alert, found.agent
    if isinstance(action, Skip):
        return Processed("skip", alert.id if alert else None, alert.ticket_id if alert else None)
    if isinstance(action, CreateTicket):
        ticket = _open(session, source, action, incident, agent, found.organization_name, now)
        alert = _record(session, source, alert, found, ticket.id, now)
        return Processed("create_ticket", alert.id, ticket.id)
    if isinstance(action, AppendNote):
        assert alert is not None  # the planner notes only incidents with a ticket
        assert alert.ticket_id is not None
        add_system_note(
            session, source.tenant, alert.ticket_id,
            content.update_note(action.previous_status, incident), now,
        )  # fmt: skip
        if action.close:
            _close(session, source.tenant, alert.ticket_id, action.close_status_id, now)
        alert = _record(session, source, alert, found, alert.ticket_id, now)
        return Processed("append_note", alert.id, alert.ticket_id, closed=action.close)
    assert isinstance(action, RecordOnly)
    ticket_id = alert.ticket_id if alert else None
    alert = _record(session, source, alert, found, ticket_id, now)
    return Processed("record_only", alert.id, alert.ticket_id)


def _open(
    session: Session,
    source: Source,
    action: CreateTicket,
    incident: Mapping[str, Any],
    agent: Mapping[str, Any] | None,
    organization_name: str | None,
    now: datetime,
) -> Ticket:
    status_id = session.scalar(
        select(TicketStatus.id).where(
            TicketStatus.tenant == source.tenant,
            TicketStatus.board_id == action.board_id,
            TicketStatus.is_default,
        )
    )
    if status_id is None:
        raise InvalidField("board_id", "The Huntress board has no default status.")
    asset_id = _asset(session, source, action.client_id, agent)
    link = content.portal_url(source.subdomain, incident.get("id"))
    draft = TicketDraft(
        client_id=action.client_id,
        title=content.ticket_title(incident, unmapped=action.unmapped)[:255],
        description=content.ticket_body(
            incident, agent, link, unmapped=action.unmapped, org_name=organization_name
        ),
        board_id=action.board_id,
        status_id=status_id,
        priority_id=action.priority_id,
        category_id=action.category_id,
        source=PROVIDER,
        source_reference=str(incident.get("id")),
        asset_ids=(asset_id,) if asset_id else (),
        first_note=content.creation_note(incident),
    )
    return open_ticket(session, source.tenant, draft, SYSTEM, now)


def _asset(
    session: Session, source: Source, client_id: uuid.UUID, agent: Mapping[str, Any] | None
) -> uuid.UUID | None:
    """The client's asset for the agent: the one already linked to it, else the one with its
    hostname (the serial number breaks a tie), which is then linked for next time."""
    if not agent or agent.get("id") is None:
        return None
    agent_id = str(agent["id"])
    linked = session.scalar(
        select(AssetExternalRef.asset_id).where(
            AssetExternalRef.tenant == source.tenant,
            AssetExternalRef.provider == PROVIDER,
            AssetExternalRef.external_id == agent_id,
        )
    )
    if linked is not None:
        return linked
    hostname = str(agent.get("hostname") or "").strip().lower()
    if not hostname:
        return None
    candidates = session.execute(
        select(Asset.id, Asset.serial_number).where(
            Asset.tenant == source.tenant,
            Asset.client_id == client_id,
            func.lower(Asset.name) == hostname,
        )
    ).all()
    serial = str(agent.get("serial_number") or "").strip().lower()
    by_serial = [a for a, s in candidates if serial and (s or "").strip().lower() == serial]
    chosen = by_serial[0] if by_serial else (candidates[0][0] if len(candidates) == 1 else None)
    if chosen is not None:
        session.add(
            AssetExternalRef(
                tenant=source.tenant, asset_id=chosen, provider=PROVIDER, external_id=agent_id
            )
        )
    return chosen


def _close(
    session: Session,
    tenant: uuid.UUID,
    ticket_id: uuid.UUID,
    status_id: uuid.UUID | None,
    now: datetime,
) -> None:
    ticket = session.get_one(Ticket, (tenant, ticket_id))
    if not ticket.is_closed:
        close_ticket(session, tenant, ticket_id, SYSTEM, now, status_id)


def _mapping(
    session: Session,
    source: Source,
    incident: Mapping[str, Any],
    organization_name: str | None,
    now: datetime,
) -> OrgMapping | None:
    """The organization's mapping row; an organization seen for the first time gets one, with
    no client yet (so the admin finds it in the mapping table)."""
    org_id = incident.get("organization_id")
    if org_id is None:
        return None
    mapping = session.scalar(
        select(OrgMapping).where(
            OrgMapping.tenant == source.tenant,
            OrgMapping.integration_id == source.integration_id,
            OrgMapping.external_org_id == str(org_id),
        )
    )
    if mapping is None:
        mapping = OrgMapping(
            tenant=source.tenant,
            integration_id=source.integration_id,
            external_org_id=str(org_id),
            external_org_name=organization_name or f"Organization {org_id}",
            client_id=None,
            auto_create_tickets=True,
            details={"discovered_at": now.isoformat()},
        )
        session.add(mapping)
        session.flush()
    return mapping


def _status(alert: Alert) -> str:
    """The Huntress status last recorded (kept in the raw incident)."""
    return str(alert.raw.get("status") or "")


def _record(
    session: Session,
    source: Source,
    alert: Alert | None,
    found: Found,
    ticket_id: uuid.UUID | None,
    now: datetime,
) -> Alert:
    """The incident's alert row, written as of this incident (the raw report and when it was
    processed: the planner's memory of what it has seen), with its organization's client."""
    incident, agent = found.incident, found.agent
    created = alert is None
    if alert is None:
        alert = Alert(
            tenant=source.tenant, id=uuid.uuid4(), integration_id=source.integration_id,
            external_alert_id=str(incident.get("id")), created_at=now,
            ingest_source="poll", occurrence_count=1,
        )  # fmt: skip
        session.add(alert)
    when = _incident_time(incident, now)
    alert.ticket_id = ticket_id
    alert.severity = SEVERITY.get(str(incident.get("severity") or "").lower(), "none")
    alert.status = "resolved" if is_closed_status(field_text(incident, "status")) else "active"
    alert.resolved_at = when if alert.status == "resolved" else None
    alert.external_org_id = field_text(incident, "organization_id") or None
    alert.client_id = found.client_id
    alert.external_device_id = field_text(incident, "agent_id") or None
    hostname = str((agent or {}).get("hostname") or "").strip()[:255]
    alert.device_name = hostname or alert.device_name
    alert.message = field_text(incident, "subject")[:2000] or None
    alert.alert_class, alert.source_type = "incident_report", PROVIDER
    alert.dedup_key = f"incident|{incident.get('id')}"[:255]
    if created:
        alert.triggered_at = alert.last_occurrence_at = when
        alert.auto_ticket_created = ticket_id is not None  # who is told: the routing's people
    alert.raw = {**dict(incident), LAST_PROCESSED_KEY: field_text(incident, "updated_at")}
    alert.decision = {
        "outcome": DECISION_OUTCOME,
        "ticket_id": str(ticket_id) if ticket_id else None,
    }
    alert.updated_at = now
    session.flush()
    if created:
        payload = events.alert_payload(PROVIDER, alert)
        events.publish(session, source.tenant, events.RMM_ALERT_TRIGGERED, payload, now)
    return alert


def field_text(incident: Mapping[str, Any], key: str) -> str:
    """An incident field as text ("" when absent): ids, status, subject."""
    value = incident.get(key)
    return "" if value is None else str(value)


def _incident_time(incident: Mapping[str, Any], now: datetime) -> datetime:
    return incident_updated_at(incident) or parse_time(incident.get("sent_at")) or now
