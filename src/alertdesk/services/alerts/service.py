"""Reading alerts, and turning one into a ticket by hand (or from a workflow)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from alertdesk.core.actors import Actor
from alertdesk.core.dedup import lock_keys
from alertdesk.core.rules import RuleActions
from alertdesk.core.types import AlertEvent, Severity
from alertdesk.errors import Conflict, InvalidField
from alertdesk.services.alerts.alert_tickets import AlertTicketRequest, alert_ticket_draft
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.services.tickets.opener import open_ticket
from alertdesk.storage.alert_queries import lock_alert_keys
from alertdesk.storage.models import Alert, Board, Integration, OrgMapping, Priority, Ticket, User


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    integration_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = None
    limit: int = 100
    offset: int = 0


def list_alerts(session: Session, tenant: uuid.UUID, f: AlertFilter) -> list[Alert]:
    query = select(Alert).where(Alert.tenant == tenant)
    for column, value in (
        (Alert.status, f.status),
        (Alert.integration_id, f.integration_id),
        (Alert.ticket_id, f.ticket_id),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(Alert.triggered_at.desc(), Alert.id).limit(f.limit).offset(f.offset)
    return list(session.scalars(query))


def get_alert(session: Session, tenant: uuid.UUID, alert_id: uuid.UUID) -> Alert:
    return get_owned(session, Alert, tenant, alert_id)


def alert_event(alert: Alert, provider: str) -> AlertEvent:
    """The stored alert as the event it came from (for templates and routing)."""
    return AlertEvent(
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
    or a webhook of the same alert arriving meanwhile, must not make two tickets."""
    alert = get_owned(session, Alert, tenant, alert_id)
    keys = lock_keys(alert.external_org_id, alert.dedup_key, alert.external_alert_id)
    lock_alert_keys(session, tenant, alert.integration_id, keys)
    session.refresh(alert)
    return alert


def create_ticket_for_alert(
    session: Session,
    tenant: uuid.UUID,
    alert_id: uuid.UUID,
    choice: ManualTicket,
    actor: Actor,
    now: datetime,
) -> Ticket:
    """A ticket for an alert that has none; the client comes from the asset or the org mapping."""
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
    request = AlertTicketRequest(
        alert_event(alert, provider), client_id, alert.asset_id, organization, actions
    )
    ticket = open_ticket(session, tenant, alert_ticket_draft(session, request), actor, now)
    alert.ticket_id, alert.client_id, alert.updated_at = ticket.id, client_id, now
    alert.decision = {
        **alert.decision,
        "ticket": {"id": str(ticket.id), "number": ticket.number, "created": True},
        "manual_ticket": {"actor_kind": actor.kind, "user_id": str(actor.user_id)},
    }
    session.flush()
    return ticket
