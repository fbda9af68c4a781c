"""Alert rule administration: validated create/update/delete/reorder per integration."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alertdesk.core.rules import RuleActions, RuleConditions
from alertdesk.errors import InvalidField
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.storage.models import AlertRule, Board, Integration, Priority, TicketStatus, User


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
