"""Reference data endpoints: clients, assets, boards, priorities, categories, users."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from alertdesk.services.accounts.users import create_user, list_users
from alertdesk.services.tickets import reference as ref
from alertdesk.storage.models import Asset, AssetExternalRef, Board, TicketStatus
from alertdesk.web.api.schemas import (
    AssetIn,
    AssetOut,
    BoardIn,
    BoardOut,
    CategoryIn,
    CategoryOut,
    ClientIn,
    ClientOut,
    ExternalRefOut,
    PriorityIn,
    PriorityOut,
    StatusOut,
    UserIn,
    UserOut,
)
from alertdesk.web.deps import AdminUser, CurrentUser, SessionDep

router = APIRouter(tags=["reference data"])


@router.get("/clients")
def get_clients(session: SessionDep, user: CurrentUser) -> list[ClientOut]:
    return [ClientOut.model_validate(c) for c in ref.list_clients(session, user.tenant)]


@router.post("/clients", status_code=201)
def post_client(body: ClientIn, session: SessionDep, user: AdminUser) -> ClientOut:
    return ClientOut.model_validate(ref.create_client(session, user.tenant, body.name))


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


def _board_out(board: Board, statuses: list[TicketStatus]) -> BoardOut:
    return BoardOut(
        id=board.id,
        name=board.name,
        is_default=board.is_default,
        statuses=[StatusOut.model_validate(s) for s in statuses],
    )


@router.get("/boards")
def get_boards(session: SessionDep, user: CurrentUser) -> list[BoardOut]:
    return [_board_out(*row) for row in ref.list_boards(session, user.tenant)]


@router.post("/boards", status_code=201)
def post_board(body: BoardIn, session: SessionDep, user: AdminUser) -> BoardOut:
    specs = [ref.StatusSpec(s.name, s.is_default, s.is_closed) for s in body.statuses]
    return _board_out(*ref.create_board(session, user.tenant, body.name, specs))


@router.get("/priorities")
def get_priorities(session: SessionDep, user: CurrentUser) -> list[PriorityOut]:
    return [PriorityOut.model_validate(p) for p in ref.list_priorities(session, user.tenant)]


@router.post("/priorities", status_code=201)
def post_priority(body: PriorityIn, session: SessionDep, user: AdminUser) -> PriorityOut:
    created = ref.create_priority(session, user.tenant, body.name, body.color)
    return PriorityOut.model_validate(created)


@router.get("/categories")
def get_categories(session: SessionDep, user: CurrentUser) -> list[CategoryOut]:
    return [CategoryOut.model_validate(c) for c in ref.list_categories(session, user.tenant)]


@router.post("/categories", status_code=201)
def post_category(body: CategoryIn, session: SessionDep, user: AdminUser) -> CategoryOut:
    created = ref.create_category(session, user.tenant, body.name, body.description)
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
