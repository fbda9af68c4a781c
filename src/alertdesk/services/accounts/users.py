"""Users of a tenant: admins configure, technicians work tickets."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict, InvalidField, NotFound
from alertdesk.services.accounts.auth import hash_password
from alertdesk.services.accounts.directory import normalize_email, remember_email
from alertdesk.storage.models import User
from alertdesk.storage.models.people import ROLES

MIN_PASSWORD_LENGTH = 8


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
    if role not in ROLES:
        raise InvalidField("role", f"Role must be one of: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidField("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if session.scalar(select(User.id).where(User.tenant == tenant, User.email == email)):
        raise Conflict(f"A user with email {email} already exists.")
    user = User(
        tenant=tenant,
        email=email,
        name=name.strip() or email,
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
