"""Server-side UI sessions: started with an expiry, valid only for their user, revocable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from alertdesk.services.accounts.sessions import (
    revoke_session,
    session_user,
    start_session,
)
from alertdesk.storage.models import User, UserSession
from tests.conftest import TenantCtx

NOW = datetime(2026, 6, 16, 14, 0, tzinfo=UTC)
MAX_AGE = 3600


def _user_of(session: Session, row: UserSession, at: datetime = NOW) -> User | None:
    return session_user(session, row.tenant, row.user_id, row.id, at)


def test_a_started_session_names_its_user_until_it_expires(
    session: Session, tenant: TenantCtx
) -> None:
    row = start_session(session, tenant.admin, NOW, MAX_AGE)
    assert (row.tenant, row.user_id, row.revoked_at) == (tenant.id, tenant.admin.id, None)
    assert row.expires_at == NOW + timedelta(seconds=MAX_AGE)
    assert _user_of(session, row) is tenant.admin
    assert _user_of(session, row, NOW + timedelta(seconds=MAX_AGE - 1)) is tenant.admin
    assert _user_of(session, row, NOW + timedelta(seconds=MAX_AGE)) is None


def test_a_revoked_session_is_no_longer_valid(session: Session, tenant: TenantCtx) -> None:
    row = start_session(session, tenant.admin, NOW, MAX_AGE)
    other = start_session(session, tenant.admin, NOW, MAX_AGE)
    revoke_session(session, tenant.id, tenant.admin.id, row.id, NOW)
    revoke_session(session, tenant.id, tenant.admin.id, row.id, NOW + timedelta(minutes=5))
    session.refresh(row)
    assert row.revoked_at == NOW  # revoking again keeps the first time
    assert _user_of(session, row) is None
    assert _user_of(session, other) is tenant.admin  # only that session ends


def test_a_session_is_only_revoked_by_its_own_user(
    session: Session, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    row = start_session(session, tenant.admin, NOW, MAX_AGE)
    revoke_session(session, tenant.id, technician[0].id, row.id, NOW)
    assert _user_of(session, row) is tenant.admin


def test_a_session_validates_only_for_its_own_user_and_tenant(
    session: Session,
    make_tenant: Callable[..., TenantCtx],
    technician: tuple[User, dict[str, str]],
) -> None:
    tenant_a, tenant_b = technician[0].tenant, make_tenant()
    row = start_session(session, technician[0], NOW, MAX_AGE)
    assert session_user(session, tenant_a, technician[0].id, row.id, NOW) is technician[0]
    for tenant, user_id in (
        (tenant_b.id, tenant_b.admin.id),  # another tenant's user
        (tenant_b.id, technician[0].id),  # the right user id under another tenant
    ):
        assert session_user(session, tenant, user_id, row.id, NOW) is None


def test_another_user_of_the_tenant_cannot_use_the_session(
    session: Session, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    row = start_session(session, technician[0], NOW, MAX_AGE)
    assert session_user(session, tenant.id, tenant.admin.id, row.id, NOW) is None


def test_a_deactivated_user_has_no_valid_session(session: Session, tenant: TenantCtx) -> None:
    row = start_session(session, tenant.admin, NOW, MAX_AGE)
    tenant.admin.is_active = False
    session.flush()
    assert _user_of(session, row) is None
