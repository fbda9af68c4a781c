"""Tenant onboarding: the tenant, its first admin and sensible defaults to work tickets with."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.errors import Conflict
from alertdesk.services.accounts.users import create_user
from alertdesk.storage.models import Board, Priority, Tenant, TicketStatus, User
from alertdesk.storage.ticket_numbers import create_sequence

DEFAULT_BOARD = "Service Desk"
# (name, is_default, is_closed)
DEFAULT_STATUSES = (("New", True, False), ("In Progress", False, False), ("Closed", False, True))
# (name, color); Medium is what a ticket gets when nobody says otherwise
DEFAULT_PRIORITIES = (
    ("Critical", "#b42318"),
    ("High", "#c4320a"),
    ("Medium", "#b54708"),
    ("Low", "#475467"),
)


def create_tenant(
    session: Session, name: str, admin_email: str, admin_password: str
) -> tuple[Tenant, User]:
    """Create a tenant with its admin, a default board, statuses and priorities."""
    name = name.strip()
    if not name:
        raise Conflict("The tenant name must not be empty.")
    if session.scalar(select(Tenant).where(Tenant.name == name)) is not None:
        raise Conflict(f"A tenant named {name!r} already exists.")
    tenant = Tenant(name=name)
    session.add(tenant)
    session.flush()
    create_sequence(session, tenant.tenant)
    _seed_defaults(session, tenant)
    admin = create_user(
        session,
        tenant.tenant,
        email=admin_email,
        password=admin_password,
        name="Administrator",
        role="admin",
    )
    return tenant, admin


def _seed_defaults(session: Session, tenant: Tenant) -> None:
    board = Board(tenant=tenant.tenant, name=DEFAULT_BOARD, is_default=True)
    session.add(board)
    session.flush()
    for position, (status_name, is_default, is_closed) in enumerate(DEFAULT_STATUSES):
        session.add(
            TicketStatus(
                tenant=tenant.tenant,
                board_id=board.id,
                name=status_name,
                is_default=is_default,
                is_closed=is_closed,
                position=position,
            )
        )
    for position, (priority_name, color) in enumerate(DEFAULT_PRIORITIES):
        session.add(
            Priority(
                tenant=tenant.tenant,
                name=priority_name,
                position=position,
                color=color,
                is_default=priority_name == "Medium",
            )
        )
    session.flush()


def find_tenant(session: Session, name: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.name == name.strip()))
