"""User changes keep one active admin per tenant and sign deactivated users out everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from alertdesk.errors import InvalidField
from alertdesk.services.accounts.sessions import session_user, start_session
from alertdesk.services.accounts.users import UserChanges, update_user
from alertdesk.storage.models import User
from tests.conftest import TenantCtx

NOW = datetime(2026, 6, 16, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field"),
    [(UserChanges(role="technician"), "role"), (UserChanges(is_active=False), "is_active")],
)
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    session: Session,
    tenant: TenantCtx,
    technician: tuple[User, dict[str, str]],
    changes: UserChanges,
    field: str,
) -> None:
    """Even by someone else (the check does not rely on the self-change rule)."""
    tech, _ = technician
    with pytest.raises(InvalidField) as refused:
        update_user(session, tenant.id, tenant.admin.id, changes, acting=tech, now=NOW)
    assert refused.value.field == field
    assert "last active admin" in refused.value.message
    assert (tenant.admin.role, tenant.admin.is_active) == ("admin", True)


def test_deactivating_signs_the_user_out_of_every_browser(
    session: Session, tenant: TenantCtx, technician: tuple[User, dict[str, str]]
) -> None:
    tech, _ = technician
    rows = [start_session(session, tech, NOW, 3600) for _ in range(2)]
    update_user(
        session, tenant.id, tech.id, UserChanges(is_active=False), acting=tenant.admin, now=NOW
    )
    update_user(
        session, tenant.id, tech.id, UserChanges(is_active=True), acting=tenant.admin, now=NOW
    )
    # reactivated, but the old sign-ins stay revoked: they must sign in again
    assert [session_user(session, tech.tenant, tech.id, row.id, NOW) for row in rows] == [
        None,
        None,
    ]
    fresh = start_session(session, tech, NOW, 3600)
    assert session_user(session, tech.tenant, tech.id, fresh.id, NOW) is tech
