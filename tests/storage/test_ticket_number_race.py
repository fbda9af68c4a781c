"""Ticket numbers stay unique and gap-free when many tickets are created at the same moment."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from alertdesk.core.actors import SYSTEM
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.tickets.reference import create_client
from alertdesk.services.tickets.service import NewTicket, create_ticket
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Ticket

WRITERS = 24


@pytest.fixture
def committed_db(make_database: Callable[[], str]) -> Iterator[Database]:
    """A database of its own: these transactions really commit, concurrently."""
    database = Database.from_url(make_database(), pool_size=WRITERS, max_overflow=0)
    upgrade(database.engine)
    yield database
    database.dispose()


def test_concurrent_creates_get_distinct_consecutive_numbers(committed_db: Database) -> None:
    with committed_db.transaction() as session:
        tenant, _ = create_tenant(session, "Race MSP", "race@example.com", "long-password")
        client = create_client(session, tenant.tenant, "Acme")
        tenant_id, client_id = tenant.tenant, client.id

    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with committed_db.transaction() as session:
                barrier.wait(timeout=30)
                new = NewTicket(title=f"t {uuid.uuid4()}", client_id=client_id)
                create_ticket(session, tenant_id, new, SYSTEM, datetime.now(UTC))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    with committed_db.transaction() as session:
        numbers = session.scalars(select(Ticket.number).where(Ticket.tenant == tenant_id)).all()
    assert sorted(numbers) == [f"TKT-{n:06d}" for n in range(1, WRITERS + 1)]
