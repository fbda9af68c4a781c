"""Users of a tenant: admins configure, technicians work tickets. A tenant always keeps one
active admin, and nobody demotes or deactivates themselves."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, InvalidField, NotFound
from alertdesk.services.accounts.auth import hash_password
from alertdesk.services.accounts.directory import normalize_email, remember_email
from alertdesk.services.accounts.sessions import revoke_user_sessions
from alertdesk.storage.models import User
from alertdesk.storage.models.people import ROLES

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 200


def generate_password() -> str:
    """A random initial password (16 URL-safe characters) for an admin to hand over once."""
    return secrets.token_urlsafe(12)


def _name(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidField("name", f"The name may have at most {MAX_NAME_LENGTH} characters.")
    return name


def create_user(
    session: Session,
    tenant: uuid.UUID,
    *,
    email: str,
    password: str,
    name: str,
    role: str,
) -> User:
    email = normalize_email(email)
    if "@" not in email:
        raise InvalidField("email", "Enter a valid email address.")
    if len(email) > 320:
        raise InvalidField("email", "The email address may have at most 320 characters.")
    name = _name(name)
    if role not in ROLES:
        raise InvalidField("role", f"Role must be one of: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidField("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if session.scalar(select(User.id).where(User.tenant == tenant, User.email == email)):
        raise Conflict(f"A user with email {email} already exists.")
    user = User(
        tenant=tenant,
        email=email,
        name=name or email,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    remember_email(session, tenant, email)
    session.flush()
    return user


def list_users(session: Session, tenant: uuid.UUID) -> list[User]:
    return list(session.scalars(select(User).where(User.tenant == tenant).order_by(User.name)))


def get_user(session: Session, tenant: uuid.UUID, user_id: uuid.UUID) -> User:
    user = session.scalar(select(User).where(User.tenant == tenant, User.id == user_id))
    if user is None:
        raise NotFound("No such user.")
    return user


@dataclass(frozen=True)
class UserChanges:
    """Fields to change; None leaves a field as it is."""

    name: str | None = None
    role: str | None = None
    is_active: bool | None = None


def update_user(
    session: Session,
    tenant: uuid.UUID,
    user_id: uuid.UUID,
    changes: UserChanges,
    *,
    acting: User,
    now: datetime,
) -> User:
    """Rename, change the role of, deactivate or reactivate a user. Deactivating signs them out
    everywhere; their API tokens stop working while they are deactivated."""
    user = get_user(session, tenant, user_id)
    if changes.name is not None:
        name = _name(changes.name)
        if not name:
            raise InvalidField("name", "The name must not be empty.")
        user.name = name
    if changes.role is not None and changes.role not in ROLES:
        raise InvalidField("role", f"Role must be one of: {', '.join(ROLES)}.")
    demoted = changes.role is not None and changes.role != user.role
    deactivated = changes.is_active is False and user.is_active
    if user.id == acting.id and demoted:
        raise InvalidField("role", "You cannot change your own role: ask another admin.")
    if user.id == acting.id and deactivated:
        raise InvalidField("is_active", "You cannot deactivate your own account.")
    if user.role == "admin" and user.is_active and (demoted or deactivated):
        _keep_an_admin(session, tenant, user, "is_active" if deactivated else "role")
    if changes.role is not None:
        user.role = changes.role
    if changes.is_active is not None:
        user.is_active = changes.is_active
    if deactivated:
        revoke_user_sessions(session, tenant, user.id, now)
    session.flush()
    return user


def _keep_an_admin(session: Session, tenant: uuid.UUID, user: User, field: str) -> None:
    """Refuse to take away the last active admin (locked, so two admins demoting each other at
    the same moment cannot both succeed)."""
    admins = session.scalars(
        select(User.id)
        .where(User.tenant == tenant, User.role == "admin", User.is_active)
        .with_for_update()
    ).all()
    if [a for a in admins if a != user.id]:
        return
    raise InvalidField(
        field, f"{user.name} is the last active admin: make another user an admin first."
    )
