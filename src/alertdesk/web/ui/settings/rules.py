"""Alert rules of one integration in the browser: the ordered list (toggle, move, delete) and the
editor with a live preview — the same services and validation as the API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from alertdesk.core.types import SEVERITIES
from alertdesk.errors import AlertdeskError, InvalidField, NotFound
from alertdesk.providers import get_provider
from alertdesk.services.alerts import rules as svc
from alertdesk.services.integrations import org_mappings
from alertdesk.services.integrations.records import get_integration
from alertdesk.storage.models import AlertRule, User
from alertdesk.web.deps import CsrfChecked, NowDep, SessionDep, UiAdmin
from alertdesk.web.ui.forms import PostedForm
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings.rule_form import (
    PLACEHOLDERS,
    RuleForm,
    RuleFormInvalid,
    conditions_summary,
    service_field,
)
from alertdesk.web.ui.workspace import Lookups

router = APIRouter(prefix="/integrations/{integration_id}/rules")


def _list_url(integration_id: uuid.UUID) -> str:
    return f"/ui/settings/integrations/{integration_id}/rules"


@router.get("")
def rules_page(
    request: Request, integration_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        integration = get_integration(session, user.tenant, integration_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    lookups = Lookups.load(session, user.tenant)
    mappings = org_mappings.list_mappings(session, user.tenant, integration_id)
    org_names = {m.external_org_id: m.external_org_name or m.external_org_id for m in mappings}
    rules = svc.list_rules(session, user.tenant, integration_id)
    context = {
        "user": user,
        "section": "integrations",
        "integration": integration,
        "spec": get_provider(integration.provider),
        "rules": rules,
        "summaries": {r.id: conditions_summary(r.conditions, org_names) for r in rules},
        "board_names": {str(k): v for k, v in lookups.board_names.items()},
    }
    return render(request, "settings/rules.html", context)


def _editor(
    request: Request,
    session: Session,
    user: User,
    integration_id: uuid.UUID,
    form: RuleForm,
    rule: AlertRule | None,
    now: Any,
) -> Response:
    integration = get_integration(session, user.tenant, integration_id)
    lookups = Lookups.load(session, user.tenant)
    templates = (form.title_template or None, form.description_template or None)
    context = {
        "user": user,
        "section": "integrations",
        "integration": integration,
        "spec": get_provider(integration.provider),
        "rule": rule,
        "form": form,
        "severities": SEVERITIES,
        "options": _options(lookups),
        "mappings": org_mappings.list_mappings(session, user.tenant, integration_id),
        "placeholders": PLACEHOLDERS,
        "preview": svc.preview(session, user.tenant, integration_id, templates, now),
    }
    return render(request, "settings/rule_editor.html", context, 422 if form.errors else 200)


def _options(lookups: Lookups) -> dict[str, list[tuple[uuid.UUID, str]]]:
    """The editor's pickers as (id, label) pairs."""
    return {
        "board_id": [(b.id, b.name) for b, _ in lookups.boards],
        "priority_override": [(p.id, p.name) for p in lookups.priorities],
        "assign_to_user_id": [(u.id, u.name) for u in lookups.users if u.is_active],
        "auto_resolve_status_id": [
            (s.id, f"{b.name} — {s.name}") for b, statuses in lookups.boards for s in statuses
            if s.is_closed
        ],
    }  # fmt: skip


@router.get("/new")
def new_rule(
    request: Request, integration_id: uuid.UUID, session: SessionDep, user: UiAdmin, now: NowDep
) -> Response:
    try:
        return _editor(request, session, user, integration_id, RuleForm(), None, now)
    except AlertdeskError as exc:
        return error_page(request, exc, user)


@router.post("/preview", dependencies=[CsrfChecked])
def preview(
    request: Request,
    integration_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
    title_template: Annotated[str, Form()] = "",
    description_template: Annotated[str, Form()] = "",
) -> Response:
    """The editor's live preview (an HTML fragment swapped in while the admin types)."""
    templates = (title_template.strip() or None, description_template.strip() or None)
    try:
        result = svc.preview(session, user.tenant, integration_id, templates, now)
    except AlertdeskError as exc:
        return HTMLResponse(exc.message, status_code=exc.status_code)
    return render(request, "settings/_rule_preview.html", {"preview": result})


@router.post("/new", dependencies=[CsrfChecked])
def create_rule(
    request: Request,
    integration_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
    data: PostedForm,
) -> Response:
    form = RuleForm.posted(data)
    return _save(request, session, user, integration_id, form, None, now)


@router.get("/{rule_id}")
def edit_rule(
    request: Request,
    integration_id: uuid.UUID,
    rule_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
) -> Response:
    try:
        rule = _rule_of(session, user, integration_id, rule_id)
        return _editor(request, session, user, integration_id, RuleForm.of_rule(rule), rule, now)
    except AlertdeskError as exc:
        return error_page(request, exc, user)


@router.post("/{rule_id}", dependencies=[CsrfChecked])
def update_rule(
    request: Request,
    integration_id: uuid.UUID,
    rule_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
    data: PostedForm,
) -> Response:
    try:
        rule = _rule_of(session, user, integration_id, rule_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return _save(request, session, user, integration_id, RuleForm.posted(data), rule, now)


def _save(
    request: Request,
    session: Session,
    user: User,
    integration_id: uuid.UUID,
    form: RuleForm,
    rule: AlertRule | None,
    now: Any,
) -> Response:
    """Validate like the API; on a refusal show the editor again with the reason at its field."""
    try:
        data = form.to_input()
        with session.begin_nested():
            if rule is None:
                svc.create_rule(session, user.tenant, integration_id, data, now)
            else:
                svc.update_rule(session, user.tenant, rule.id, data, now)
    except RuleFormInvalid as exc:
        form.errors = exc.errors
    except InvalidField as exc:
        form.errors = {service_field(exc.field): exc.message}
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    if form.errors:
        return _editor(request, session, user, integration_id, form, rule, now)
    return RedirectResponse(_list_url(integration_id), 303)


def _rule_of(
    session: Session, user: User, integration_id: uuid.UUID, rule_id: uuid.UUID
) -> AlertRule:
    """The rule, only through its own integration (another's rule id is unknown here)."""
    rule = svc.get_rule(session, user.tenant, rule_id)
    if rule.integration_id != integration_id:
        raise NotFound("No such alert rule.")
    return rule


@router.post("/{rule_id}/toggle", dependencies=[CsrfChecked])
def toggle_rule(
    request: Request,
    integration_id: uuid.UUID,
    rule_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    now: NowDep,
) -> Response:
    try:
        rule = _rule_of(session, user, integration_id, rule_id)
        rule.is_active, rule.updated_at = not rule.is_active, now
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return RedirectResponse(_list_url(integration_id), 303)


@router.post("/{rule_id}/move", dependencies=[CsrfChecked])
def move_rule(
    request: Request,
    integration_id: uuid.UUID,
    rule_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    direction: Annotated[Literal["up", "down"], Form()],
) -> Response:
    try:
        _rule_of(session, user, integration_id, rule_id)
        svc.move_rule(session, user.tenant, integration_id, rule_id, -1 if direction == "up" else 1)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return RedirectResponse(f"{_list_url(integration_id)}#rule-{rule_id}", 303)


@router.post("/{rule_id}/delete", dependencies=[CsrfChecked])
def delete_rule(
    request: Request,
    integration_id: uuid.UUID,
    rule_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
) -> Response:
    try:
        svc.delete_rule(session, user.tenant, _rule_of(session, user, integration_id, rule_id).id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    return RedirectResponse(_list_url(integration_id), 303)
