"""Alert rules per integration (admin): list, create, read, replace, delete, reorder."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field

from alertdesk.core.rules import RuleActions, RuleConditions
from alertdesk.services.alerts import rules as svc
from alertdesk.web.api.schemas import Input, Output
from alertdesk.web.deps import AdminUser, NowDep, SessionDep

router = APIRouter(tags=["alert rules"])


class RuleIn(Input):
    name: str = Field(min_length=1, max_length=255)
    description: str = Field(default="", max_length=2000)
    is_active: bool = True
    conditions: RuleConditions = RuleConditions()
    actions: RuleActions = RuleActions()

    def to_input(self) -> svc.RuleInput:
        return svc.RuleInput(
            self.name, self.description, self.is_active, self.conditions, self.actions
        )


class RuleOut(Output):
    id: uuid.UUID
    integration_id: uuid.UUID
    name: str
    description: str
    is_active: bool
    priority_order: int
    conditions: dict[str, Any]
    actions: dict[str, Any]
    created_at: datetime
    updated_at: datetime | None


class ReorderIn(Input):
    rule_ids: list[uuid.UUID] = Field(min_length=1)


@router.get("/integrations/{integration_id}/alert-rules")
def list_rules(integration_id: uuid.UUID, session: SessionDep, user: AdminUser) -> list[RuleOut]:
    return [RuleOut.model_validate(r) for r in svc.list_rules(session, user.tenant, integration_id)]


@router.post("/integrations/{integration_id}/alert-rules", status_code=201)
def create_rule(
    integration_id: uuid.UUID, body: RuleIn, session: SessionDep, user: AdminUser, now: NowDep
) -> RuleOut:
    rule = svc.create_rule(session, user.tenant, integration_id, body.to_input(), now)
    return RuleOut.model_validate(rule)


@router.post("/integrations/{integration_id}/alert-rules/reorder")
def reorder_rules(
    integration_id: uuid.UUID, body: ReorderIn, session: SessionDep, user: AdminUser
) -> list[RuleOut]:
    ordered = svc.reorder_rules(session, user.tenant, integration_id, body.rule_ids)
    return [RuleOut.model_validate(r) for r in ordered]


@router.get("/alert-rules/{rule_id}")
def get_rule(rule_id: uuid.UUID, session: SessionDep, user: AdminUser) -> RuleOut:
    return RuleOut.model_validate(svc.get_rule(session, user.tenant, rule_id))


@router.put("/alert-rules/{rule_id}")
def replace_rule(
    rule_id: uuid.UUID, body: RuleIn, session: SessionDep, user: AdminUser, now: NowDep
) -> RuleOut:
    rule = svc.update_rule(session, user.tenant, rule_id, body.to_input(), now)
    return RuleOut.model_validate(rule)


@router.delete("/alert-rules/{rule_id}", status_code=204)
def delete_rule(rule_id: uuid.UUID, session: SessionDep, user: AdminUser) -> Response:
    svc.delete_rule(session, user.tenant, rule_id)
    return Response(status_code=204)
