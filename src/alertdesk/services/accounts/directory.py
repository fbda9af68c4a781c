"""Who has an email across tenants, answered by the email route (a reference table) so that
login and the CLI read users from their own tenant's shard only."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.storage.models import EmailRoute, Tenant, User


def normalize_email(email: str) -> str:
    return email.strip().lower()


def remember_email(session: Session, tenant: uuid.UUID, email: str) -> None:
    session.add(EmailRoute(email=email, tenant=tenant))


def users_with_email(session: Session, email: str, tenant_name: str | None = None) -> list[User]:
    """Users with this email, in every tenant having one (or only the named one): one lookup
    in the route, then one single-tenant query per tenant found (almost always one)."""
    email = normalize_email(email)
    tenants = select(EmailRoute.tenant).where(EmailRoute.email == email)
    if tenant_name:
        tenants = tenants.join(Tenant, Tenant.tenant == EmailRoute.tenant).where(
            Tenant.name == tenant_name
        )
    users = (
        session.scalar(select(User).where(User.tenant == tenant, User.email == email))
        for tenant in session.scalars(tenants.order_by(EmailRoute.tenant)).all()
    )
    return [user for user in users if user is not None]
