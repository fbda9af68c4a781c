"""Settings → Assets: the devices of each client with their RMM device ids (which link a vendor's
alerts to the asset), filtered by client; add and edit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from alertdesk.errors import AlertdeskError, InvalidField, NotFound
from alertdesk.providers import REGISTRY
from alertdesk.services.tickets import reference as ref
from alertdesk.storage.models import Asset, AssetExternalRef, User
from alertdesk.web.deps import CsrfChecked, SessionDep, UiAdmin
from alertdesk.web.ui.forms import form_id
from alertdesk.web.ui.rendering import error_page, render
from alertdesk.web.ui.settings.connect_form import posted
from alertdesk.web.ui.settings.editing import Errors, back_to, errors_of, refusal

router = APIRouter(prefix="/assets")
PAGE = "/ui/settings/assets"
BLANK_ROWS = 2  # empty device-id rows under the asset's own, to link more devices
MAX_ROWS = 50
Posted = Annotated[dict[str, str], Depends(posted)]


@dataclass
class RefRow:
    provider: str = ""
    external_id: str = ""
    remove: bool = False

    @property
    def blank(self) -> bool:
        return not self.provider and not self.external_id.strip()


@dataclass
class AssetForm:
    """What the form shows: the asset's values, or what was sent, with the errors by field."""

    client_id: str = ""
    name: str = ""
    serial_number: str = ""
    rows: list[RefRow] = field(default_factory=list)
    errors: Errors = field(default_factory=dict)

    @classmethod
    def of(cls, asset: Asset, refs: Sequence[AssetExternalRef]) -> AssetForm:
        rows = [RefRow(r.provider, r.external_id) for r in refs]
        return cls(str(asset.client_id), asset.name, asset.serial_number or "", _padded(rows))

    @classmethod
    def sent(cls, values: dict[str, str]) -> AssetForm:
        rows = []
        for i in range(MAX_ROWS):
            if f"ref-{i}-provider" not in values and f"ref-{i}-external_id" not in values:
                break
            rows.append(
                RefRow(
                    values.get(f"ref-{i}-provider", ""),
                    values.get(f"ref-{i}-external_id", ""),
                    bool(values.get(f"ref-{i}-remove")),
                )
            )
        return cls(
            values.get("client_id", ""),
            values.get("name", ""),
            values.get("serial_number", ""),
            rows,
        )

    def external_refs(self) -> tuple[list[ref.ExternalRef], dict[str, str]]:
        """The device links the rows ask for (blank and removed rows left out), and how the
        service's field names map back to the rows they came from."""
        refs: list[ref.ExternalRef] = []
        fields = {"external_refs": "refs"}
        for i, row in enumerate(self.rows):
            if row.remove or row.blank:
                continue
            if not row.provider:
                raise InvalidField(f"ref-{i}-provider", "Choose the RMM this device id is from.")
            if not row.external_id.strip():
                raise InvalidField(
                    f"ref-{i}-external_id", "Enter the device id, or tick Remove to unlink it."
                )
            for part in ("provider", "external_id"):
                fields[f"external_refs.{len(refs)}.{part}"] = f"ref-{i}-{part}"
            refs.append(ref.ExternalRef(row.provider, row.external_id.strip()))
        return refs, fields


def _padded(rows: list[RefRow]) -> list[RefRow]:
    return rows + [RefRow() for _ in range(BLANK_ROWS)]


def _providers() -> list[tuple[str, str]]:
    return [(name, spec.label) for name, spec in REGISTRY.items()]


@router.get("")
def assets_page(
    request: Request, session: SessionDep, user: UiAdmin, client_id: str = ""
) -> Response:
    try:
        chosen = form_id(client_id, "client_id")
    except InvalidField:
        chosen = None
    clients = ref.list_clients(session, user.tenant)
    context = {
        "user": user,
        "section": "assets",
        "assets": ref.list_assets(session, user.tenant, chosen),
        "clients": clients,
        "client_names": {c.id: c.name for c in clients},
        "chosen": str(chosen or ""),
        "chosen_name": next((c.name for c in clients if c.id == chosen), None),
    }
    return render(request, "settings/assets.html", context)


def _form_page(
    request: Request,
    session: Session,
    user: User,
    form: AssetForm,
    asset: Asset | None = None,
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "section": "assets",
        "asset": asset,
        "form": form,
        "client_choices": [(str(c.id), c.name) for c in ref.list_clients(session, user.tenant)],
        "providers": _providers(),
    }
    return render(request, "settings/asset.html", context, 422 if form.errors else 200)


@router.get("/new")
def new_asset_page(
    request: Request, session: SessionDep, user: UiAdmin, client_id: str = ""
) -> Response:
    return _form_page(request, session, user, AssetForm(client_id=client_id, rows=_padded([])))


def _refused(form: AssetForm, exc: AlertdeskError, fields: dict[str, str]) -> AssetForm:
    form.errors = errors_of(exc, "refs", fields)
    if not any(row.blank for row in form.rows):
        form.rows.append(RefRow())
    return form


def _client_of(form: AssetForm) -> uuid.UUID:
    chosen = form_id(form.client_id, "client_id")
    if chosen is None:
        raise InvalidField("client_id", "Choose the client this asset belongs to.")
    return chosen


@router.post("", dependencies=[CsrfChecked])
def add_asset(request: Request, session: SessionDep, user: UiAdmin, sent: Posted) -> Response:
    form = AssetForm.sent(sent)
    try:
        client_id = _client_of(form)
        refs, fields = form.external_refs()
    except InvalidField as exc:
        return _form_page(request, session, user, _refused(form, exc, {}))
    refused = refusal(
        session,
        lambda: ref.create_asset(
            session,
            user.tenant,
            client_id=client_id,
            name=form.name,
            serial_number=form.serial_number,
            external_refs=refs,
        ),
    )
    if refused is not None:
        return _form_page(request, session, user, _refused(form, refused, fields))
    return back_to(PAGE)


@router.get("/{asset_id}")
def asset_page(
    request: Request, asset_id: uuid.UUID, session: SessionDep, user: UiAdmin
) -> Response:
    try:
        asset, refs = ref.get_asset(session, user.tenant, asset_id)
    except NotFound as exc:
        return error_page(request, exc, user)
    return _form_page(request, session, user, AssetForm.of(asset, refs), asset)


@router.post("/{asset_id}", dependencies=[CsrfChecked])
def edit_asset(
    request: Request, asset_id: uuid.UUID, session: SessionDep, user: UiAdmin, sent: Posted
) -> Response:
    try:
        asset, _ = ref.get_asset(session, user.tenant, asset_id)
    except NotFound as exc:
        return error_page(request, exc, user)
    form = AssetForm.sent(sent)
    try:
        changes = ref.AssetChanges(
            client_id=_client_of(form), name=form.name, serial_number=form.serial_number
        )
        refs, fields = form.external_refs()
    except InvalidField as exc:
        return _form_page(request, session, user, _refused(form, exc, {}), asset)
    changes = replace(changes, external_refs=refs)
    refused = refusal(session, lambda: ref.update_asset(session, user.tenant, asset_id, changes))
    if refused is None:
        return back_to(PAGE)
    return _form_page(request, session, user, _refused(form, refused, fields), asset)
