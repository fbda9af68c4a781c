"""Reading alerts, and turning one into a ticket by hand (or from a workflow)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.core.dedup import lock_keys
from alertdesk.core.rules import RuleActions
from alertdesk.core.types import AlertEvent, Severity
from alertdesk.errors import Conflict, InvalidField
from alertdesk.providers import get_provider
from alertdesk.services.alerts.alert_tickets import AlertTicketRequest, alert_ticket_draft
from alertdesk.services.alerts.pipeline import join_condition_ticket
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.services.tickets.opener import open_ticket
from alertdesk.storage.alert_context import AlertContext, load_context, searched
from alertdesk.storage.alert_queries import lock_alert_keys
from alertdesk.storage.models import (
    Alert,
    Asset,
    Board,
    Client,
    Integration,
    OrgMapping,
    Priority,
    Ticket,
    User,
)


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    integration_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = None
    limit: int = 100
    offset: int = 0
    severity: str | None = None
    client_id: uuid.UUID | None = None


def list_alerts(session: Session, tenant: uuid.UUID, f: AlertFilter) -> list[Alert]:
    query = select(Alert).where(Alert.tenant == tenant)
    for column, value in (
        (Alert.status, f.status),
        (Alert.integration_id, f.integration_id),
        (Alert.ticket_id, f.ticket_id),
        (Alert.severity, f.severity),
        (Alert.client_id, f.client_id),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(Alert.triggered_at.desc(), Alert.id).limit(f.limit).offset(f.offset)
    return list(session.scalars(query))


def get_alert(session: Session, tenant: uuid.UUID, alert_id: uuid.UUID) -> Alert:
    return get_owned(session, Alert, tenant, alert_id)


def alert_event(alert: Alert, provider: str) -> AlertEvent:
    """The stored alert as the event it came from (for templates and routing)."""
    event = AlertEvent(
        tenant=alert.tenant,
        integration_id=alert.integration_id,
        provider=provider,
        kind="triggered",
        external_alert_id=alert.external_alert_id,
        occurred_at=alert.triggered_at,
        severity=cast(Severity, alert.severity),
        external_device_id=alert.external_device_id,
        activity_type=alert.activity_type,
        alert_class=alert.alert_class,
        source_type=alert.source_type,
        message=alert.message,
        device_name=alert.device_name,
        external_org_id=alert.external_org_id,
        raw=alert.raw,
    )
    spec = get_provider(provider)
    summarize = spec.summarize if spec is not None else None
    return replace(event, summary=summarize(event)) if summarize else event


@dataclass(frozen=True)
class ManualTicket:
    board_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    assign_to_user_id: uuid.UUID | None = None
    title_template: str | None = None
    description_template: str | None = None


def _check_choice(session: Session, tenant: uuid.UUID, choice: ManualTicket) -> None:
    """A person's explicit choices must exist (stored rules fall back quietly instead)."""
    for model, value, field in (
        (Board, choice.board_id, "board_id"),
        (Priority, choice.priority_id, "priority_id"),
        (User, choice.assign_to_user_id, "assign_to_user_id"),
    ):
        if value is not None:
            get_referenced(session, model, tenant, value, field)


def _locked_alert(session: Session, tenant: uuid.UUID, alert_id: uuid.UUID) -> Alert:
    """The alert, read again once its keys are locked: two people pressing the button at once,
    or a webhook of the same alert or condition arriving meanwhile, must not make two tickets."""
    alert = get_owned(session, Alert, tenant, alert_id)
    keys = lock_keys(alert.external_org_id, alert.dedup_key, alert.external_alert_id)
    lock_alert_keys(session, tenant, alert.integration_id, keys)
    session.refresh(alert)
    return alert


@dataclass(frozen=True)
class AlertTicket:
    ticket: Ticket
    joined: bool  # the alert joined its condition's open ticket; False: a new ticket


def create_ticket_for_alert(
    session: Session,
    tenant: uuid.UUID,
    alert_id: uuid.UUID,
    choice: ManualTicket,
    actor: Actor,
    now: datetime,
) -> Ticket:
    """The ticket of an alert that had none: a new one, or its condition's open ticket."""
    return ticket_for_alert(session, tenant, alert_id, choice, actor, now).ticket


def ticket_for_alert(
    session: Session,
    tenant: uuid.UUID,
    alert_id: uuid.UUID,
    choice: ManualTicket,
    actor: Actor,
    now: datetime,
) -> AlertTicket:
    """A ticket for an alert that has none. When another alert of the same condition (dedup
    key, organization) has an open ticket, the alert joins it as one more occurrence, exactly
    as a repeat from the vendor would; else a new ticket, its client from the asset or the org
    mapping. The condition's lock is held, so a webhook of the same condition cannot open a
    second ticket meanwhile."""
    alert = _locked_alert(session, tenant, alert_id)
    if alert.ticket_id is not None:
        raise Conflict("This alert already has a linked ticket.")
    _check_choice(session, tenant, choice)
    provider, organization, mapped_client = session.execute(
        select(Integration.provider, OrgMapping.external_org_name, OrgMapping.client_id)
        .outerjoin(
            OrgMapping,
            and_(
                OrgMapping.tenant == tenant,
                OrgMapping.integration_id == Integration.id,
                OrgMapping.external_org_id == func.coalesce(alert.external_org_id, ""),
            ),
        )
        .where(Integration.tenant == tenant, Integration.id == alert.integration_id)
    ).one()
    event = alert_event(alert, provider)
    context = searched(
        session, event, alert.dedup_key, load_context(session, event, alert.dedup_key)
    )
    if context.dedup_ticket_id is not None:
        return AlertTicket(_join(session, alert, event, context, actor, now), joined=True)
    client_id = alert.client_id or mapped_client
    if client_id is None:
        raise InvalidField(
            "client_id",
            "No client for this alert: map its organization to a client or link its device.",
        )
    actions = RuleActions(
        board_id=choice.board_id,
        priority_override=choice.priority_id,
        assign_to_user_id=choice.assign_to_user_id,
        title_template=choice.title_template,
        description_template=choice.description_template,
    )
    request = AlertTicketRequest(event, client_id, alert.asset_id, organization, actions)
    ticket = open_ticket(session, tenant, alert_ticket_draft(session, request), actor, now)
    alert.ticket_id, alert.client_id, alert.updated_at = ticket.id, client_id, now
    alert.decision = {
        **alert.decision,
        "ticket": {"id": str(ticket.id), "number": ticket.number, "created": True},
        "manual_ticket": _by(actor),
    }
    session.flush()
    return AlertTicket(ticket, joined=False)


def _join(
    session: Session,
    alert: Alert,
    event: AlertEvent,
    context: AlertContext,
    actor: Actor,
    now: datetime,
) -> Ticket:
    """Link the alert to its condition's open ticket, counted and noted as an occurrence."""
    dedup = join_condition_ticket(session, event, alert, context, now, "Alert linked by hand")
    ticket = get_owned(session, Ticket, alert.tenant, uuid.UUID(dedup["ticket_id"]))
    alert.updated_at = now
    alert.decision = {
        **alert.decision,
        "dedup": dedup,
        "ticket": {"id": str(ticket.id), "number": ticket.number, "created": False},
        "manual_ticket": _by(actor),
    }
    session.flush()
    return ticket


def _by(actor: Actor) -> dict[str, str]:
    return {"actor_kind": actor.kind, "user_id": str(actor.user_id)}


# --- names for the alert pages ------------------------------------------------------------


@dataclass(frozen=True)
class LinkedTicket:
    id: uuid.UUID
    number: str
    is_closed: bool


@dataclass(frozen=True)
class IntegrationName:
    provider: str
    name: str


@dataclass(frozen=True)
class AlertNames:
    """What the alert pages show instead of ids: every integration and client of the tenant
    (the filters list them), and the tickets, assets and people the given alerts name."""

    integrations: dict[uuid.UUID, IntegrationName]
    clients: dict[uuid.UUID, str]
    tickets: dict[uuid.UUID, LinkedTicket]
    assets: dict[uuid.UUID, str]
    users: dict[uuid.UUID, str]


def _trace_ids(alert: Alert) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """The tickets and people an alert's decision trace names (ids that parse)."""
    tickets: set[uuid.UUID] = set()
    users: set[uuid.UUID] = set()
    decision = alert.decision if isinstance(alert.decision, dict) else {}
    for part, key, into in (
        ("dedup", "ticket_id", tickets),
        ("ticket", "id", tickets),
        ("manual_ticket", "user_id", users),
    ):
        value = decision.get(part)
        if isinstance(value, dict):
            try:
                into.add(uuid.UUID(str(value.get(key))))
            except ValueError:
                continue
    return tickets, users


def alert_names(session: Session, tenant: uuid.UUID, alerts: list[Alert]) -> AlertNames:
    ticket_ids = {a.ticket_id for a in alerts if a.ticket_id is not None}
    user_ids: set[uuid.UUID] = set()
    for alert in alerts:
        more_tickets, more_users = _trace_ids(alert)
        ticket_ids |= more_tickets
        user_ids |= more_users
    asset_ids = {a.asset_id for a in alerts if a.asset_id is not None}
    integrations = session.execute(
        select(Integration.id, Integration.provider, Integration.name)
        .where(Integration.tenant == tenant)
        .order_by(Integration.name)
    )
    clients = session.execute(
        select(Client.id, Client.name).where(Client.tenant == tenant).order_by(Client.name)
    )
    tickets = session.execute(
        select(Ticket.id, Ticket.number, Ticket.closed_at).where(
            Ticket.tenant == tenant, Ticket.id.in_(ticket_ids)
        )
    )
    assets = session.execute(
        select(Asset.id, Asset.name).where(Asset.tenant == tenant, Asset.id.in_(asset_ids))
    )
    users = session.execute(
        select(User.id, User.name).where(User.tenant == tenant, User.id.in_(user_ids))
    )
    return AlertNames(
        integrations={i: IntegrationName(provider, name) for i, provider, name in integrations},
        clients={i: name for i, name in clients},
        tickets={i: LinkedTicket(i, number, closed is not None) for i, number, closed in tickets},
        assets={i: name for i, name in assets},
        users={i: name for i, name in users},
    )
