"""Reference data endpoints: clients, assets, boards, priorities, categories, users."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from alertdesk.services.accounts.users import UserChanges, create_user, list_users, update_user
from alertdesk.services.tickets import boards
from alertdesk.services.tickets import reference as ref
from alertdesk.storage.models import Asset, AssetExternalRef, Board, TicketStatus
from alertdesk.web.api.schemas import (
    AssetIn,
    AssetOut,
    AssetPatch,
    BoardIn,
    BoardOut,
    BoardPatch,
    CategoryIn,
    CategoryOut,
    ClientIn,
    ClientOut,
    ClientPatch,
    ExternalRefOut,
    PriorityIn,
    PriorityOut,
    PriorityPatch,
    StatusIn,
    StatusOut,
    UserIn,
    UserOut,
    UserPatch,
)
from alertdesk.web.deps import AdminUser, CurrentUser, NowDep, SessionDep

router = APIRouter(tags=["reference data"])


@router.get("/clients")
def get_clients(session: SessionDep, user: CurrentUser) -> list[ClientOut]:
    return [ClientOut.model_validate(c) for c in ref.list_clients(session, user.tenant)]


@router.post("/clients", status_code=201)
def post_client(body: ClientIn, session: SessionDep, user: AdminUser) -> ClientOut:
    return ClientOut.model_validate(ref.create_client(session, user.tenant, body.name))


@router.patch("/clients/{client_id}")
def patch_client(
    client_id: uuid.UUID, body: ClientPatch, session: SessionDep, user: AdminUser
) -> ClientOut:
    if body.name is None:
        return ClientOut.model_validate(ref.get_client(session, user.tenant, client_id))
    return ClientOut.model_validate(ref.rename_client(session, user.tenant, client_id, body.name))


def _asset_out(asset: Asset, refs: list[AssetExternalRef]) -> AssetOut:
    return AssetOut(
        id=asset.id,
        client_id=asset.client_id,
        name=asset.name,
        serial_number=asset.serial_number,
        external_refs=[ExternalRefOut.model_validate(r) for r in refs],
    )


@router.get("/assets")
def get_assets(
    session: SessionDep, user: CurrentUser, client_id: uuid.UUID | None = None
) -> list[AssetOut]:
    return [_asset_out(*row) for row in ref.list_assets(session, user.tenant, client_id)]


@router.post("/assets", status_code=201)
def post_asset(body: AssetIn, session: SessionDep, user: AdminUser) -> AssetOut:
    asset, refs = ref.create_asset(
        session,
        user.tenant,
        client_id=body.client_id,
        name=body.name,
        serial_number=body.serial_number,
        external_refs=[ref.ExternalRef(r.provider, r.external_id) for r in body.external_refs],
    )
    return _asset_out(asset, refs)


@router.patch("/assets/{asset_id}")
def patch_asset(
    asset_id: uuid.UUID, body: AssetPatch, session: SessionDep, user: AdminUser
) -> AssetOut:
    serial = body.serial_number
    if "serial_number" in body.model_fields_set and serial is None:
        serial = ""  # null clears it
    refs = body.external_refs
    changes = ref.AssetChanges(
        client_id=body.client_id,
        name=body.name,
        serial_number=serial,
        external_refs=None
        if refs is None
        else [ref.ExternalRef(r.provider, r.external_id) for r in refs],
    )
    return _asset_out(*ref.update_asset(session, user.tenant, asset_id, changes))


def _board_out(board: Board, statuses: list[TicketStatus]) -> BoardOut:
    return BoardOut(
        id=board.id,
        name=board.name,
        is_default=board.is_default,
        statuses=[StatusOut.model_validate(s) for s in statuses],
    )


@router.get("/boards")
def get_boards(session: SessionDep, user: CurrentUser) -> list[BoardOut]:
    return [_board_out(*row) for row in boards.list_boards(session, user.tenant)]


@router.post("/boards", status_code=201)
def post_board(body: BoardIn, session: SessionDep, user: AdminUser) -> BoardOut:
    specs = [boards.StatusSpec(s.name, s.is_default, s.is_closed) for s in body.statuses]
    return _board_out(*boards.create_board(session, user.tenant, body.name, specs))


@router.patch("/boards/{board_id}")
def patch_board(
    board_id: uuid.UUID, body: BoardPatch, session: SessionDep, user: AdminUser
) -> BoardOut:
    updated = boards.update_board(
        session, user.tenant, board_id, name=body.name, is_default=body.is_default
    )
    return _board_out(*updated)


@router.post("/boards/{board_id}/statuses", status_code=201)
def post_status(
    board_id: uuid.UUID, body: StatusIn, session: SessionDep, user: AdminUser
) -> StatusOut:
    spec = boards.StatusSpec(body.name, body.is_default, body.is_closed)
    return StatusOut.model_validate(boards.add_status(session, user.tenant, board_id, spec))


@router.get("/priorities")
def get_priorities(session: SessionDep, user: CurrentUser) -> list[PriorityOut]:
    return [PriorityOut.model_validate(p) for p in boards.list_priorities(session, user.tenant)]


@router.post("/priorities", status_code=201)
def post_priority(body: PriorityIn, session: SessionDep, user: AdminUser) -> PriorityOut:
    created = boards.create_priority(session, user.tenant, body.name, body.color)
    return PriorityOut.model_validate(created)


@router.patch("/priorities/{priority_id}")
def patch_priority(
    priority_id: uuid.UUID, body: PriorityPatch, session: SessionDep, user: AdminUser
) -> PriorityOut:
    color = body.color
    if "color" in body.model_fields_set and color is None:
        color = ""  # null removes the colour
    updated = boards.update_priority(session, user.tenant, priority_id, name=body.name, color=color)
    return PriorityOut.model_validate(updated)


@router.get("/categories")
def get_categories(session: SessionDep, user: CurrentUser) -> list[CategoryOut]:
    return [CategoryOut.model_validate(c) for c in boards.list_categories(session, user.tenant)]


@router.post("/categories", status_code=201)
def post_category(body: CategoryIn, session: SessionDep, user: AdminUser) -> CategoryOut:
    created = boards.create_category(session, user.tenant, body.name, body.description)
    return CategoryOut.model_validate(created)


@router.get("/users")
def get_users(session: SessionDep, user: CurrentUser) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in list_users(session, user.tenant)]


@router.post("/users", status_code=201)
def post_user(body: UserIn, session: SessionDep, user: AdminUser) -> UserOut:
    created = create_user(
        session,
        user.tenant,
        email=body.email,
        password=body.password,
        name=body.name,
        role=body.role,
    )
    return UserOut.model_validate(created)


@router.patch("/users/{user_id}")
def patch_user(
    user_id: uuid.UUID, body: UserPatch, session: SessionDep, user: AdminUser, now: NowDep
) -> UserOut:
    """Rename, change the role, deactivate (`is_active: false`) or reactivate a user."""
    changes = UserChanges(name=body.name, role=body.role, is_active=body.is_active)
    updated = update_user(session, user.tenant, user_id, changes, acting=user, now=now)
    return UserOut.model_validate(updated)
