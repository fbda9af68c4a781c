"""Ticket numbers come from one PostgreSQL sequence per tenant, drawn by the ticket's INSERT
and formatted as the core formats them; migration 0010 carries each tenant's count over (and
back on downgrade)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from alertdesk.core.actors import SYSTEM
from alertdesk.core.ticket_numbers import format_ticket_number
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.tickets.reference import create_client
from alertdesk.services.tickets.service import NewTicket, create_ticket
from alertdesk.storage.migrate import alembic_config, upgrade
from alertdesk.storage.ticket_numbers import NEXT_NUMBER, SEQUENCE, sequence_name
from tests.conftest import TenantCtx

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [1, 42, 999_999, 1_000_000, 123_456_789])
def test_the_database_formats_numbers_as_the_core_does(
    session: Session, tenant: TenantCtx, value: int
) -> None:
    session.execute(text(f"select setval('{sequence_name(tenant.id)}', {value}, false)"))
    drawn = session.scalar(select(NEXT_NUMBER), {SEQUENCE: sequence_name(tenant.id)})
    assert drawn == format_ticket_number(value)


def _open(session: Session, tenant_id: object, client_id: object) -> str:
    new = NewTicket(title="Printer jammed", client_id=client_id)  # type: ignore[arg-type]
    return create_ticket(session, tenant_id, new, SYSTEM, NOW).number  # type: ignore[arg-type]


def test_the_migration_carries_each_tenants_count_over_and_back(
    make_database: Callable[[], str],
) -> None:
    engine = create_engine(make_database())
    try:
        upgrade(engine)
        with Session(engine) as session, session.begin():
            tenant, _ = create_tenant(session, "Numbers MSP", "n@example.com", "x" * 12)
            client = create_client(session, tenant.tenant, "Acme")
            ids = (tenant.tenant, client.id)
            assert [_open(session, *ids) for _ in range(3)] == [
                "TKT-000001", "TKT-000002", "TKT-000003",
            ]  # fmt: skip
        config = alembic_config(engine)
        command.downgrade(config, "0009")
        with engine.connect() as conn:
            assert conn.execute(text("select last_number from ticket_sequence")).scalar() == 3
            assert (
                conn.execute(text("select to_regclass(:n)"), {"n": sequence_name(ids[0])}).scalar()
                is None
            )
        command.upgrade(config, "head")
        with Session(engine) as session, session.begin():
            assert _open(session, *ids) == "TKT-000004"
    finally:
        engine.dispose()
