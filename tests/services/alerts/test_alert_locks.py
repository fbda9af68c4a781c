"""One lock scheme: rows of a tenant-keyed table (valid on every Citus node), locked by every
writer of alerts; a condition's row remembers the alert whose open ticket repeats join."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import alertdesk
from alertdesk.core.actors import Actor
from alertdesk.core.dedup import alert_lock_key, condition_lock_key
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.alerts.service import ManualTicket, create_ticket_for_alert
from alertdesk.services.tickets import work
from alertdesk.storage.alert_queries import lock_alert_keys
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Alert, AlertLock
from tests.conftest import TenantCtx
from tests.services.alerts.pipeline_fixtures import NOW, World, add_rule, build_world


@pytest.fixture(scope="module")
def committed(make_database: Callable[[], str]) -> Iterator[tuple[Database, World]]:
    """A database of its own: two connections really contend for the rows."""
    database = Database.from_url(make_database())
    upgrade(database.engine)
    with database.transaction() as session:
        tenant, admin = create_tenant(session, "Lock MSP", "lock@example.com", "long-password")
        world = build_world(session, tenant.tenant, admin.id)
    yield database, world
    database.dispose()


def _lock(database: Database, world: World, keys: list[str]) -> Session:
    session = database.sessions()
    session.begin()
    lock_alert_keys(session, world.tenant, world.integration.id, keys)
    return session


def _try_lock(database: Database, world: World, keys: list[str]) -> bool:
    """Whether `keys` can be locked right now (another transaction may hold them)."""
    with database.sessions() as session, session.begin():
        # on Citus the wait happens on the worker holding the row: send it the timeout too
        # (a harmless placeholder setting on plain PostgreSQL)
        session.execute(text("set local citus.propagate_set_commands = 'local'"))
        session.execute(text("set local lock_timeout = '300ms'"))
        try:
            lock_alert_keys(session, world.tenant, world.integration.id, keys)
        except OperationalError:  # lock_not_available
            return False
        return True


def test_a_locked_key_blocks_other_writers_until_commit_and_other_keys_do_not(
    committed: tuple[Database, World],
) -> None:
    database, world = committed
    held = _lock(database, world, ["condition:0:|dev|disk", "alert:A-1"])
    try:
        assert not _try_lock(database, world, ["alert:A-1"])
        assert not _try_lock(database, world, ["condition:0:|dev|disk", "alert:A-2"])
        assert _try_lock(database, world, ["condition:0:|dev|cpu", "alert:A-3"])
    finally:
        held.commit()
        held.close()
    assert _try_lock(database, world, ["alert:A-1"])


def test_a_lock_row_is_made_once_per_key(committed: tuple[Database, World]) -> None:
    database, world = committed
    for _ in range(3):
        _lock(database, world, ["alert:once", "alert:once"]).commit()
    with database.sessions() as session:
        rows = session.scalars(select(AlertLock).where(AlertLock.lock_key == "alert:once"))
        assert len(list(rows)) == 1


def test_no_alert_path_takes_an_advisory_lock() -> None:
    """Advisory locks hold on one node only; alert writers lock rows instead."""
    root = Path(alertdesk.__file__).parent
    offenders = [p for p in root.rglob("*.py") if "advisory_xact_lock" in p.read_text()]
    assert offenders == []


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    return build_world(session, tenant.id, tenant.admin.id)


def _remembered(session: Session, world: World, alert: Alert) -> object:
    key = condition_lock_key(alert.external_org_id, alert.dedup_key)
    return session.scalar(
        select(AlertLock.ticket_alert_id).where(
            AlertLock.tenant == world.tenant, AlertLock.lock_key == key
        )
    )


def test_the_condition_remembers_the_ticket_alert_and_moves_on_when_it_closes(
    session: Session, world: World
) -> None:
    add_rule(session, world.tenant, world.integration.id)
    first = world.process(session, world.event(external_alert_id="A-1"))
    assert first.outcome == "ticket_created"
    alert = session.get_one(Alert, (world.tenant, first.alert_id))
    assert _remembered(session, world, alert) == alert.id
    repeat = world.process(session, world.event(external_alert_id="A-2"))
    assert (repeat.outcome, repeat.ticket_id) == ("occurrence_appended", first.ticket_id)

    assert first.ticket_id is not None
    work.close_ticket(session, world.tenant, first.ticket_id, Actor.user(world.admin_id), NOW)
    again = world.process(session, world.event(external_alert_id="A-3"))
    assert again.outcome == "ticket_created"
    assert again.ticket_id != first.ticket_id
    assert _remembered(session, world, alert) == again.alert_id


def test_a_ticket_made_by_hand_is_found_and_then_remembered(session: Session, world: World) -> None:
    recorded = world.process(session, world.event(external_alert_id="A-1"))  # no rule yet
    assert recorded.outcome == "recorded_only"
    assert recorded.alert_id is not None
    ticket = create_ticket_for_alert(
        session, world.tenant, recorded.alert_id, ManualTicket(), Actor.user(world.admin_id), NOW
    )
    add_rule(session, world.tenant, world.integration.id)
    later = NOW + timedelta(minutes=5)
    repeat = world.process(session, world.event(external_alert_id="A-2"), now=later)
    assert (repeat.outcome, repeat.ticket_id) == ("occurrence_appended", ticket.id)
    alert = session.get_one(Alert, (world.tenant, recorded.alert_id))
    assert _remembered(session, world, alert) == alert.id
    assert alert_lock_key("A-2") in set(
        session.scalars(select(AlertLock.lock_key).where(AlertLock.tenant == world.tenant))
    )
