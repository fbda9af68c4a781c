"""Alert rule administration: validated create/update/delete/reorder per integration."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.core.rules import RuleActions, RuleConditions
from alertdesk.core.templates import ticket_text
from alertdesk.core.types import AlertEvent
from alertdesk.errors import InvalidField
from alertdesk.services.alerts.service import alert_event
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.storage.models import (
    Alert,
    AlertRule,
    Board,
    Integration,
    OrgMapping,
    Priority,
    TicketStatus,
    User,
)


@dataclass(frozen=True)
class RuleInput:
    name: str
    description: str
    is_active: bool
    conditions: RuleConditions
    actions: RuleActions


def list_rules(session: Session, tenant: uuid.UUID, integration_id: uuid.UUID) -> list[AlertRule]:
    get_owned(session, Integration, tenant, integration_id)
    return list(
        session.scalars(
            select(AlertRule)
            .where(AlertRule.tenant == tenant, AlertRule.integration_id == integration_id)
            .order_by(AlertRule.priority_order, AlertRule.created_at)
        )
    )


def get_rule(session: Session, tenant: uuid.UUID, rule_id: uuid.UUID) -> AlertRule:
    return get_owned(session, AlertRule, tenant, rule_id)


def _check_ids(session: Session, tenant: uuid.UUID, actions: RuleActions) -> None:
    """Every id in the actions must exist in this tenant (422 naming the field otherwise)."""
    if actions.board_id is not None:
        get_referenced(session, Board, tenant, actions.board_id, "actions.board_id")
    if actions.priority_override is not None:
        get_referenced(
            session, Priority, tenant, actions.priority_override, "actions.priority_override"
        )
    for field, user_id in [("actions.assign_to_user_id", actions.assign_to_user_id)] + [
        ("actions.notify_user_ids", u) for u in actions.notify_user_ids
    ]:
        if user_id is not None:
            get_referenced(session, User, tenant, user_id, field)
    if actions.auto_resolve_status_id is not None:
        field = "actions.auto_resolve_status_id"
        status = get_referenced(
            session, TicketStatus, tenant, actions.auto_resolve_status_id, field
        )
        if not status.is_closed:
            raise InvalidField(field, f"{status.name!r} is not a closed status.")
        if actions.board_id is not None and status.board_id != actions.board_id:
            raise InvalidField(field, "That status belongs to another board than the rule's.")


def _apply(rule: AlertRule, data: RuleInput, now: datetime) -> None:
    rule.name, rule.description, rule.is_active = data.name, data.description, data.is_active
    rule.conditions = data.conditions.model_dump(mode="json", exclude_none=True)
    rule.actions = data.actions.model_dump(mode="json")
    rule.updated_at = now


def create_rule(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, data: RuleInput, now: datetime
) -> AlertRule:
    """New rules go last: priority_order = max + 1."""
    get_owned(session, Integration, tenant, integration_id)
    _check_ids(session, tenant, data.actions)
    last = session.scalar(
        select(func.max(AlertRule.priority_order)).where(
            AlertRule.tenant == tenant, AlertRule.integration_id == integration_id
        )
    )
    rule = AlertRule(
        tenant=tenant,
        id=uuid.uuid4(),
        integration_id=integration_id,
        priority_order=0 if last is None else last + 1,
        created_at=now,
    )
    _apply(rule, data, now)
    session.add(rule)
    session.flush()
    return rule


def update_rule(
    session: Session, tenant: uuid.UUID, rule_id: uuid.UUID, data: RuleInput, now: datetime
) -> AlertRule:
    rule = get_rule(session, tenant, rule_id)
    _check_ids(session, tenant, data.actions)
    _apply(rule, data, now)
    session.flush()
    return rule


def delete_rule(session: Session, tenant: uuid.UUID, rule_id: uuid.UUID) -> None:
    session.delete(get_rule(session, tenant, rule_id))
    session.flush()


def reorder_rules(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, rule_ids: Sequence[uuid.UUID]
) -> list[AlertRule]:
    """Set each rule's priority_order to its index; the ids must be exactly this integration's."""
    rules = {r.id: r for r in list_rules(session, tenant, integration_id)}
    if len(set(rule_ids)) != len(rule_ids) or set(rule_ids) != set(rules):
        raise InvalidField("rule_ids", "List every rule of this integration exactly once.")
    for position, rule_id in enumerate(rule_ids):
        rules[rule_id].priority_order = position
    session.flush()
    return [rules[i] for i in rule_ids]


@dataclass(frozen=True)
class RulePreview:
    title: str
    description: str
    alert: Alert | None  # the recent alert it was rendered from; None: an example alert


def preview(
    session: Session,
    tenant: uuid.UUID,
    integration_id: uuid.UUID,
    templates: tuple[str | None, str | None],
    now: datetime,
) -> RulePreview:
    """The ticket title and description a rule's templates give for this integration's most
    recent alert (or an example alert while it has none)."""
    integration = get_owned(session, Integration, tenant, integration_id)
    alert = session.scalar(
        select(Alert)
        .where(Alert.tenant == tenant, Alert.integration_id == integration_id)
        .order_by(Alert.triggered_at.desc())
        .limit(1)
    )
    event = alert_event(alert, integration.provider) if alert else _example(integration, now)
    organization = None
    if event.external_org_id is not None:
        organization = session.scalar(
            select(OrgMapping.external_org_name).where(
                OrgMapping.tenant == tenant,
                OrgMapping.integration_id == integration_id,
                OrgMapping.external_org_id == event.external_org_id,
            )
        )
    title, description = ticket_text(event, organization, *templates)
    return RulePreview(title, description, alert)


def _example(integration: Integration, now: datetime) -> AlertEvent:
    return AlertEvent(
        tenant=integration.tenant,
        integration_id=integration.id,
        provider=integration.provider,
        kind="triggered",
        external_alert_id="example",
        occurred_at=now,
        severity="major",
        external_device_id="example-device",
        activity_type="CONDITION",
        alert_class="disk_free_space",
        message="Disk C: free space is below 10% (4.2 GB free of 237 GB)",
        device_name="CC-FS01",
        external_org_id=None,
    )


def move_rule(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, rule_id: uuid.UUID, step: int
) -> list[AlertRule]:
    """Swap a rule with its neighbour (step -1: earlier, +1: later); at either end, nothing."""
    ids = [r.id for r in list_rules(session, tenant, integration_id)]
    at = ids.index(rule_id)
    other = at + step
    if 0 <= other < len(ids):
        ids[at], ids[other] = ids[other], ids[at]
    return reorder_rules(session, tenant, integration_id, ids)


CATCH_ALL = RuleInput(
    name="Every alert",
    description="Added when the integration was connected: opens a ticket for every alert. "
    "Narrow it, or add rules above it.",
    is_active=True,
    conditions=RuleConditions(),
    actions=RuleActions(),
)


def add_catch_all_rule(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, now: datetime
) -> AlertRule | None:
    """The first-run choice "create a ticket for every alert": a visible, editable rule that
    matches everything; nothing when the integration already has rules (a reconnect)."""
    if list_rules(session, tenant, integration_id):
        return None
    return create_rule(session, tenant, integration_id, CATCH_ALL, now)
