"""The caller's own API tokens: list, create (shown once), revoke."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from alertdesk.services.accounts import auth
from alertdesk.web.api.schemas import IssuedTokenOut, TokenIn, TokenOut
from alertdesk.web.deps import CurrentUser, NowDep, SessionDep

router = APIRouter(prefix="/tokens", tags=["api tokens"])


@router.get("")
def list_tokens(session: SessionDep, user: CurrentUser) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in auth.list_tokens(session, user)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_token(
    body: TokenIn, session: SessionDep, user: CurrentUser, now: NowDep
) -> IssuedTokenOut:
    issued = auth.issue_token(session, user, body.name, now, body.expires_in_days)
    return IssuedTokenOut(**TokenOut.model_validate(issued.token).model_dump(), token=issued.secret)


@router.delete("/{token_id}")
def revoke_token(
    token_id: uuid.UUID, session: SessionDep, user: CurrentUser, now: NowDep
) -> TokenOut:
    return TokenOut.model_validate(auth.revoke_token(session, user, token_id, now))
