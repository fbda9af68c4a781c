"""Reference data and event factories for the alert pipeline tests (rows written with the ORM)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.types import AlertEvent, EventKind, Outcome, Severity
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.services.tickets.boards import StatusSpec, create_board
from alertdesk.services.tickets.reference import ExternalRef, create_asset, create_client
from alertdesk.storage.models import (
    Alert,
    AlertRule,
    Asset,
    Board,
    Client,
    Event,
    Integration,
    MaintenanceWindow,
    OrgMapping,
    Ticket,
    TicketComment,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
PROVIDER = "ninjaone"
DEVICE = "dev-1"
CONDITION = "DISK_SPACE"
ORG = "org-1"
ORG_NAME = "Acme Holdings"


@dataclass
class World:
    """One tenant wired for alerts: an integration, a mapped org, a client with a known device."""

    tenant: uuid.UUID
    admin_id: uuid.UUID
    integration: Integration
    client: Client  # owns the asset
    asset: Asset
    mapped_client: Client  # what ORG maps to
    mapping: OrgMapping
    _seq: list[int] = field(default_factory=lambda: [0])

    def event(self, **overrides: Any) -> AlertEvent:
        return make_event(self.tenant, self.integration.id, **overrides)

    def process(
        self, session: Session, event: AlertEvent, now: datetime | None = None, **kw: Any
    ) -> Outcome:
        """Run the pipeline; without `now`, each call gets a later instant than the last."""
        if now is None:
            self._seq[0] += 1
            now = NOW + timedelta(minutes=self._seq[0])
        return process_alert_event(session, event, now, **kw)


def add_integration(
    session: Session,
    tenant: uuid.UUID,
    provider: str = PROVIDER,
    integration_id: uuid.UUID | None = None,
) -> Integration:
    integration = Integration(
        tenant=tenant,
        id=integration_id or uuid.uuid4(),
        provider=provider,
        name=f"{provider} integration",
        is_active=True,
        settings={},
    )
    session.add(integration)
    session.flush()
    return integration


def add_board(session: Session, tenant: uuid.UUID, name: str) -> Board:
    statuses = [StatusSpec("Open", is_default=True), StatusSpec("Done", is_closed=True)]
    board, _ = create_board(session, tenant, name, statuses)
    return board


def add_mapping(
    session: Session,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    client_id: uuid.UUID | None,
    external_org_id: str = ORG,
    name: str | None = ORG_NAME,
) -> OrgMapping:
    mapping = OrgMapping(
        tenant=tenant,
        integration_id=integration_id,
        external_org_id=external_org_id,
        external_org_name=name,
        client_id=client_id,
        auto_create_tickets=True,
        details={},
    )
    session.add(mapping)
    session.flush()
    return mapping


def add_rule(
    session: Session,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    *,
    name: str = "catch-all",
    order: int = 0,
    conditions: dict[str, Any] | None = None,
    actions: dict[str, Any] | None = None,
    is_active: bool = True,
) -> AlertRule:
    rule = AlertRule(
        tenant=tenant,
        integration_id=integration_id,
        name=name,
        description="",
        is_active=is_active,
        priority_order=order,
        conditions=conditions if conditions is not None else {},
        actions=actions if actions is not None else {"create_ticket": True},
    )
    session.add(rule)
    session.flush()
    return rule


def add_window(
    session: Session,
    tenant: uuid.UUID,
    *,
    name: str = "patching",
    integration_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    asset_id: uuid.UUID | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    recurrence: dict[str, Any] | None = None,
    is_active: bool = True,
) -> MaintenanceWindow:
    window = MaintenanceWindow(
        tenant=tenant,
        name=name,
        is_active=is_active,
        integration_id=integration_id,
        client_id=client_id,
        asset_id=asset_id,
        starts_at=starts_at,
        ends_at=ends_at,
        recurrence=recurrence,
    )
    session.add(window)
    session.flush()
    return window


def make_event(
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    *,
    kind: EventKind = "triggered",
    external_alert_id: str = "A-1",
    device: str | None = DEVICE,
    condition: str | None = CONDITION,
    severity: Severity = "major",
    org: str | None = ORG,
    message: str | None = "Disk C: is 95% full",
    device_name: str | None = "WS-ACCT-01",
    occurred_at: datetime = NOW,
    raw: dict[str, Any] | None = None,
) -> AlertEvent:
    return AlertEvent(
        tenant=tenant,
        integration_id=integration_id,
        provider=PROVIDER,
        kind=kind,
        external_alert_id=external_alert_id,
        occurred_at=occurred_at,
        severity=severity,
        external_device_id=device,
        condition_identity=condition,
        activity_type="CONDITION",
        alert_class=condition,
        source_type="CONDITION_DISK",
        message=message,
        device_name=device_name,
        external_org_id=org,
        raw=raw if raw is not None else {"seriesUid": external_alert_id, "statusCode": kind},
    )


def build_world(
    session: Session,
    tenant: uuid.UUID,
    admin_id: uuid.UUID,
    integration_id: uuid.UUID | None = None,
) -> World:
    integration = add_integration(session, tenant, integration_id=integration_id)
    client = create_client(session, tenant, "Acme")
    mapped = create_client(session, tenant, "Mapped Org Client")
    asset, _ = create_asset(
        session,
        tenant,
        client_id=client.id,
        name="WS-ACCT-01",
        serial_number=None,
        external_refs=[ExternalRef(PROVIDER, DEVICE)],
    )
    mapping = add_mapping(session, tenant, integration.id, mapped.id)
    return World(tenant, admin_id, integration, client, asset, mapped, mapping)


def alerts(session: Session, tenant: uuid.UUID) -> list[Alert]:
    session.expire_all()  # occurrence counts are bumped with a bulk UPDATE
    query = select(Alert).where(Alert.tenant == tenant).order_by(Alert.created_at, Alert.id)
    return list(session.scalars(query))


def tickets(session: Session, tenant: uuid.UUID) -> list[Ticket]:
    query = select(Ticket).where(Ticket.tenant == tenant).order_by(Ticket.number)
    return list(session.scalars(query))


def comments(session: Session, tenant: uuid.UUID, ticket_id: uuid.UUID) -> list[TicketComment]:
    query = (
        select(TicketComment)
        .where(TicketComment.tenant == tenant, TicketComment.ticket_id == ticket_id)
        .order_by(TicketComment.created_at, TicketComment.body)
    )
    return list(session.scalars(query))


def events(session: Session, tenant: uuid.UUID) -> list[Event]:
    query = select(Event).where(Event.tenant == tenant).order_by(Event.created_at, Event.type)
    return list(session.scalars(query))


def event_types(session: Session, tenant: uuid.UUID) -> list[str]:
    return sorted(e.type for e in events(session, tenant))
