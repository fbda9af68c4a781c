"""Passwords (argon2) and API tokens (random, stored as SHA-256, tenant encoded in the token)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, NotFound, Unauthorized
from alertdesk.services.accounts.directory import users_with_email
from alertdesk.storage.models import ApiToken, User

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("alertdesk-no-such-user")
TOKEN_PREFIX = "adk"  # noqa: S105 (a prefix, not a secret)
# last_used_at is refreshed at most this often, so reads do not turn into writes.
LAST_USED_GRANULARITY = timedelta(minutes=5)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate_password(
    session: Session, email: str, password: str, tenant_name: str | None = None
) -> User:
    """The active user with this email and password; the workspace disambiguates shared emails."""
    candidates = [
        user
        for user in users_with_email(session, email, tenant_name)
        if user.is_active and _password_matches(user.password_hash, password)
    ]
    if not candidates:
        _password_matches(_DUMMY_HASH, password)
        raise Unauthorized("Wrong email or password.")
    if len(candidates) > 1:
        raise Conflict("This email belongs to several workspaces: enter the workspace name.")
    return candidates[0]


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def digest(secret: str) -> str:
    """SHA-256 hex: how tokens and OAuth states are stored (never the value itself)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session, user: User, name: str, now: datetime, expires_in_days: int | None = None
) -> IssuedToken:
    """Create a token `adk_<tenant hex>_<random>`; only its digest is kept."""
    secret = f"{TOKEN_PREFIX}_{user.tenant.hex}_{secrets.token_urlsafe(32)}"
    expires_at = None if expires_in_days is None else now + timedelta(days=expires_in_days)
    token = ApiToken(
        tenant=user.tenant,
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token, secret)


def _tenant_of(secret: str) -> uuid.UUID | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    try:
        return uuid.UUID(hex=parts[1])
    except ValueError:
        return None


def authenticate_token(session: Session, secret: str, now: datetime) -> User:
    """The active user owning this unexpired, unrevoked token."""
    tenant = _tenant_of(secret)
    if tenant is None:
        raise Unauthorized("Invalid API token.")
    row = session.execute(
        select(ApiToken, User)
        .join(User, (User.tenant == ApiToken.tenant) & (User.id == ApiToken.user_id))
        .where(ApiToken.tenant == tenant, ApiToken.token_hash == digest(secret))
    ).one_or_none()
    if row is None:
        raise Unauthorized("Invalid API token.")
    token, user = row
    if token.revoked_at is not None:
        raise Unauthorized("This API token has been revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("This API token has expired.")
    if not user.is_active:
        raise Unauthorized("This user is deactivated.")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        session.execute(
            update(ApiToken)
            .where(ApiToken.tenant == tenant, ApiToken.id == token.id)
            .values(last_used_at=now)
        )
    return user


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.tenant == user.tenant, ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at)
        )
    )


def revoke_token(session: Session, user: User, token_id: uuid.UUID, now: datetime) -> ApiToken:
    token = session.scalars(
        select(ApiToken).where(
            ApiToken.tenant == user.tenant,
            ApiToken.id == token_id,
            ApiToken.user_id == user.id,
        )
    ).one_or_none()
    if token is None:
        raise NotFound("No such API token.")
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
    return token
