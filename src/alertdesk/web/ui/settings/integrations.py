"""Admin settings pages for integrations: connect, webhook setup, org mappings, deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, InvalidField
from alertdesk.providers import REGISTRY, ProviderSpec, get_provider
from alertdesk.services.alerts.rules import add_catch_all_rule, list_rules
from alertdesk.services.alerts.windows import list_windows
from alertdesk.services.huntress import settings as huntress_settings
from alertdesk.services.integrations import deliveries, inbox, lifecycle, org_mappings
from alertdesk.services.integrations import records as svc
from alertdesk.services.tickets.reference import list_clients
from alertdesk.storage.models import Integration, User
from alertdesk.web import integration_actions as actions
from alertdesk.web.deps import (
    BaseUrlDep,
    CsrfChecked,
    DatabaseDep,
    DetachedUiAdmin,
    NowDep,
    SessionDep,
    UiAdmin,
    VendorDep,
)
from alertdesk.web.ui.forms import PostedForm, form_id
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings import huntress_page
from alertdesk.web.ui.settings.connect_form import (
    ConnectForm,
    connect_form,
    field_of,
    posted,
    sent_values,
)

router = APIRouter(prefix="/integrations")
FormText = Annotated[str, Form()]


def _back(integration_id: uuid.UUID, anchor: str = "") -> Response:
    return RedirectResponse(f"/ui/settings/integrations/{integration_id}{anchor}", 303)


def _listing(
    request: Request,
    session: Session,
    user: User,
    failed: tuple[str, AlertdeskError] | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    """The page; after a failed connect, that provider's form shows what was sent and why it
    failed: at its field when the error names one, above the forms otherwise."""
    rows = svc.list_integrations(session, user.tenant)
    connected = {i.provider for i in rows if i.is_active}
    forms: list[ConnectForm] = []
    error: str | None = None
    for spec in REGISTRY.values():
        if spec.name in connected:
            continue
        form = connect_form(spec)
        if failed is not None and failed[0] == spec.name:
            form, error = _with_failure(spec, sent or {}, failed[1])
        forms.append(form)
    if failed is not None and not any(f.spec.name == failed[0] for f in forms):
        error = failed[1].message  # unknown or already connected provider
    context = {
        "user": user, "section": "integrations", "error": error,
        "groups": _by_category(rows, forms), "first_rule": (sent or {}).get("first_rule"),
    }  # fmt: skip
    return render(request, "settings/integrations.html", context, 422 if failed else 200)


def _by_category(
    rows: list[Integration], forms: list[ConnectForm]
) -> list[tuple[str, list[Integration], list[ConnectForm]]]:
    """(category, its integrations, its connect forms) in the registry's order."""
    categories = list(dict.fromkeys(spec.category for spec in REGISTRY.values()))
    return [
        (
            category,
            [i for i in rows if svc.provider_of(i).category == category],
            [f for f in forms if f.spec.category == category],
        )
        for category in categories
    ]


def _with_failure(
    spec: ProviderSpec, sent: dict[str, str], exc: AlertdeskError
) -> tuple[ConnectForm, str | None]:
    blank = connect_form(spec)
    field = field_of(exc, blank) if isinstance(exc, InvalidField) else None
    if field is None:
        return connect_form(spec, sent), exc.message
    return connect_form(spec, sent, {field: exc.message}), None


@router.get("")
def integrations_page(request: Request, session: SessionDep, user: UiAdmin) -> Response:
    return _listing(request, session, user)


@router.post("", dependencies=[CsrfChecked])
def connect(
    request: Request,
    database: DatabaseDep,
    user: DetachedUiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
    sent: Annotated[dict[str, str], Depends(posted)],
) -> Response:
    """Whatever the provider's form holds: its fields come from the provider's spec."""
    provider, instance_url = sent.get("provider", ""), sent.get("instance_url", "")
    spec = get_provider(provider)
    credentials, settings = sent_values(spec, sent) if spec else ({}, {})
    request_ = svc.ConnectRequest(provider, instance_url, credentials, settings)
    try:  # the vendor is called with no transaction open
        integration, secret = lifecycle.connect(
            database, user.tenant, request_, vendor, base_url, now
        )
    except AlertdeskError as exc:
        with database.transaction() as session:
            return _listing(request, session, user, (provider, exc), sent)
    warnings = actions.finish_connect(database, user.tenant, integration, vendor, now)
    with database.transaction() as session:
        if spec and spec.webhook and sent.get("first_rule", "all") == "all":
            add_catch_all_rule(session, user.tenant, integration.id, now)
        extra = {"new_secret": secret, "warnings": warnings}
        return detail_page(request, session, user, integration.id, vendor, base_url, extra)


def detail_page(
    request: Request,
    session: Session,
    user: User,
    integration_id: uuid.UUID,
    vendor: svc.Vendor,
    base_url: str,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The integration's page (Huntress has its own); `extra` adds to or overrides what it
    shows: `error`, `new_secret`, `warnings`, `poll_result`, a refused routing form."""
    integration = svc.get_integration(session, user.tenant, integration_id)
    setup: dict[str, Any] | None = None
    spec = svc.provider_of(integration)
    if integration.webhook_secret_encrypted is not None and spec.webhook is not None:
        setup = svc.webhook_setup(session, user.tenant, integration_id, vendor, base_url)
    context = {
        "user": user,
        "section": "integrations",
        "integration": integration,
        "spec": spec,
        "webhook_url": svc.webhook_url(base_url, integration),
        "setup": setup,
        "mappings": org_mappings.list_mappings(session, user.tenant, integration_id),
        "clients": list_clients(session, user.tenant),
        "new_secret": None, "warnings": [], "poll_result": None, "error": None,
        "test_result": None, "rotated": False,
    }  # fmt: skip
    if spec.polls_incidents:
        context |= huntress_page.page_context(session, user, integration)
        page = "settings/polled_incidents.html"
    else:
        context["rules"] = list_rules(session, user.tenant, integration_id)
        context["windows"] = list_windows(session, user.tenant, integration_id)
        context["deliveries"] = inbox.list_recent(session, user.tenant, integration_id, 25)
        context["polling"] = svc.parse_settings(integration.settings).polling
        page = "settings/integration.html"
    context |= extra or {}
    refused = context["error"] or context.get("routing_errors")
    return render(request, page, context, 422 if refused else 200)


@router.get("/{integration_id}")
def integration_page(
    request: Request,
    integration_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
) -> Response:
    return detail_page(request, session, user, integration_id, vendor, base_url)


def _attempt(
    request: Request,
    session: Session,
    user: User,
    integration_id: uuid.UUID,
    vendor: svc.Vendor,
    base_url: str,
    change: Any,
    anchor: str = "",
) -> Response:
    """Run one change in a savepoint; show the page again with the reason if it is refused."""
    try:
        with session.begin_nested():
            change()
    except AlertdeskError as exc:
        if exc.status_code == 404:
            return error_page(request, exc, user)
        extra = {"error": exc.message}
        return detail_page(request, session, user, integration_id, vendor, base_url, extra)
    return _back(integration_id, anchor)


@router.post("/{integration_id}/mappings/{mapping_id}", dependencies=[CsrfChecked])
def map_organization(
    request: Request,
    integration_id: uuid.UUID,
    mapping_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    client_id: FormText = "",
    auto_create_tickets: FormText = "",
) -> Response:
    """The client picker (and, for Huntress, whether the org's incidents open tickets)."""

    def change() -> object:
        changes: dict[str, object] = {"client_id": form_id(client_id, "client_id")}
        if auto_create_tickets:
            changes["auto_create_tickets"] = auto_create_tickets == "on"
        return org_mappings.update_mapping(
            session, user.tenant, integration_id, mapping_id, changes
        )

    return _attempt(request, session, user, integration_id, vendor, base_url, change, "#mappings")


@router.post("/{integration_id}/replay", dependencies=[CsrfChecked])
def replay_failed(
    request: Request,
    integration_id: uuid.UUID,
    database: DatabaseDep,
    user: DetachedUiAdmin,
    now: NowDep,
) -> Response:
    """The "Retry failed" button: each delivery in its own transaction (none held meanwhile)."""
    try:
        with database.transaction() as session:
            svc.get_integration(session, user.tenant, integration_id)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    deliveries.replay(database, user.tenant, integration_id, now)
    return _back(integration_id, "#deliveries")


@router.post("/{integration_id}/routing", dependencies=[CsrfChecked])
def save_routing(
    request: Request,
    integration_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
    data: PostedForm,
) -> Response:
    """Huntress routing; a refusal shows the page again with the reason at its field."""
    changes, errors = huntress_page.posted_changes(data)
    try:
        integration = svc.get_integration(session, user.tenant, integration_id)
        if not errors:
            with session.begin_nested():
                huntress_settings.update_settings(session, integration, changes, now)
    except InvalidField as exc:
        errors[huntress_page.form_field(exc.field)] = huntress_page.readable(exc.field, exc.message)
    except AlertdeskError as exc:
        return error_page(request, exc, user)
    if not errors:
        return _back(integration_id, "#routing")
    session.refresh(integration)
    extra = {"routing": huntress_page.as_values(changes, data), "routing_errors": errors}
    return detail_page(request, session, user, integration_id, vendor, base_url, extra)


@router.post("/{integration_id}/polling", dependencies=[CsrfChecked])
def save_polling(
    request: Request,
    integration_id: uuid.UUID,
    session: SessionDep,
    user: UiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
    interval_minutes: FormText = "",
    enabled: FormText = "",
) -> Response:
    """An RMM integration's reconciliation polling: on/off and every 5 to 60 minutes."""

    def change() -> object:
        try:
            minutes = int(interval_minutes)
        except ValueError as exc:
            raise InvalidField("interval_minutes", "Enter a whole number of minutes.") from exc
        polling = {"enabled": bool(enabled), "interval_minutes": minutes}
        return svc.update_settings(session, user.tenant, integration_id, {"polling": polling}, now)

    return _attempt(request, session, user, integration_id, vendor, base_url, change, "#polling")


# action → (what it does, where the page scrolls back to)
ACTIONS: dict[str, tuple[Callable[..., object], str]] = {
    "sync": (org_mappings.sync_from_vendor, "#mappings"),
    "disconnect": (lifecycle.disconnect, ""),
}


@router.post("/{integration_id}/{action}", dependencies=[CsrfChecked])
def act(
    request: Request,
    integration_id: uuid.UUID,
    action: Literal["sync", "disconnect"],
    database: DatabaseDep,
    user: DetachedUiAdmin,
    vendor: VendorDep,
    base_url: BaseUrlDep,
    now: NowDep,
) -> Response:
    """The buttons of the integration page: sync organizations, disconnect. They call the
    vendor, so no transaction is held; a refusal shows the page again (in a short one)."""
    run, anchor = ACTIONS[action]
    try:
        run(database, user.tenant, integration_id, vendor, now)
    except AlertdeskError as exc:
        if exc.status_code == 404:
            return error_page(request, exc, user)
        with database.transaction() as session:
            extra = {"error": exc.message}
            return detail_page(request, session, user, integration_id, vendor, base_url, extra)
    return _back(integration_id, anchor)
