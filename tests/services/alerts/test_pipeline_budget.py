"""The hot path stays cheap: statement budgets per outcome (with the integration's rules and
windows compiled, as after its first event), rules and windows read once per config version,
and the dedup step O(1) in the number of earlier occurrences."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.types import Outcome
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.storage.direct import send_deferred
from alertdesk.storage.models import AlertRule
from tests.conftest import TenantCtx
from tests.fakes.statements import compilations, round_trips, statements
from tests.services.alerts.pipeline_fixtures import NOW, World, add_rule, add_window, build_world


@pytest.fixture
def world(session: Session, tenant: TenantCtx) -> World:
    built = build_world(session, tenant.id, tenant.admin.id)
    i = built.integration.id
    add_rule(
        session,
        built.tenant,
        i,
        name="criticals",
        order=0,
        conditions={"severities": ["critical"]},
        actions={"create_ticket": False},
    )
    add_rule(
        session, built.tenant, i, name="regex", order=1, conditions={"message_pattern": "^never$"}
    )
    add_rule(
        session,
        built.tenant,
        i,
        name="catch-all",
        order=2,
        actions={"assign_to_user_id": str(tenant.admin.id)},
    )
    later = NOW + timedelta(days=30)
    add_window(session, built.tenant, starts_at=later, ends_at=later + timedelta(hours=1))
    add_window(
        session,
        built.tenant,
        client_id=built.mapped_client.id,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=1),
    )
    add_window(
        session,
        built.tenant,
        recurrence={
            "type": "weekly",
            "days": [0],
            "start_time": "01:00",
            "end_time": "02:00",
            "timezone": "UTC",
        },
    )
    session.flush()
    return built


def counted(
    session: Session, world: World, minute: int, **overrides: Any
) -> tuple[Outcome, list[str]]:
    with statements(session.connection()) as seen:  # begun first: its SAVEPOINT is not counted
        outcome = process_alert_event(
            session, world.event(**overrides), NOW + timedelta(minutes=minute)
        )
        send_deferred(session)  # its deferred writes are counted with it
    return outcome, seen


def reads_of(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.startswith("SELECT") and f"FROM {table} " in f"{s} "]


def warm(session: Session, world: World) -> None:
    """A first event of another condition: the integration's rules and windows get compiled."""
    counted(session, world, 0, external_alert_id="W-1", condition="warm")


def test_trigger_that_creates_a_ticket(session: Session, world: World) -> None:
    warm(session, world)
    outcome, seen = counted(session, world, 1)
    assert outcome.outcome == "ticket_created"
    assert len(seen) <= 10, seen
    assert [s for s in seen if "procrastinate_jobs" in s] == []  # queued after the commit
    assert reads_of(seen, "alert_rule") == reads_of(seen, "maintenance_window") == []


@pytest.mark.parametrize(
    ("overrides", "expected", "budget"),
    [
        ({}, "ticket_created", 3),  # locks + context, the ticket (its number), the writes
        ({"external_alert_id": "W-2", "condition": "warm"}, "occurrence_appended", 2),
        ({"external_alert_id": "W-1", "condition": "warm"}, "skipped", 2),
    ],
)
def test_round_trips_per_outcome(
    session: Session, world: World, overrides: dict[str, str], expected: str, budget: int
) -> None:
    """The locks go with the context read, the writes with the commit (or the next read)."""
    warm(session, world)
    with round_trips(session.connection()) as waited:
        outcome, _ = counted(session, world, 1, **overrides)
    assert outcome.outcome == expected
    assert waited[0] <= budget, waited


def test_occurrence_append(session: Session, world: World) -> None:
    counted(session, world, 1, external_alert_id="A-1")
    outcome, seen = counted(session, world, 2, external_alert_id="A-2")
    assert outcome.outcome == "occurrence_appended"
    assert len(seen) <= 6, seen


def test_replay(session: Session, world: World) -> None:
    counted(session, world, 1)
    outcome, seen = counted(session, world, 2)
    assert outcome.outcome == "skipped"
    assert len(seen) <= 3, seen
    assert reads_of(seen, "alert_rule") == reads_of(seen, "maintenance_window") == []


def test_suppressed(session: Session, world: World) -> None:
    warm(session, world)
    outcome, seen = counted(session, world, 1, device="unknown-device")  # mapped client's window
    assert outcome.outcome == "suppressed"
    assert len(seen) <= 3, seen


def test_rules_and_windows_are_read_once_per_config_version(
    session: Session, world: World, tenant: TenantCtx
) -> None:
    def reads(minute: int) -> tuple[int, int]:
        _, seen = counted(
            session, world, minute, external_alert_id=f"A-{minute}", device=f"d{minute}"
        )
        return len(reads_of(seen, "alert_rule")), len(reads_of(seen, "maintenance_window"))

    assert reads(1) == (1, 1)
    assert reads(2) == (0, 0)
    rule = add_rule(session, world.tenant, world.integration.id, name="later", order=9)
    assert reads(3) == (1, 1)  # a new rule bumps the integration's version
    rule.is_active = False  # as the UI's on/off switch does
    session.flush()
    assert reads(4) == (1, 1)
    add_window(session, world.tenant, starts_at=NOW, ends_at=NOW)  # a tenant-wide window
    assert reads(5) == (1, 1)
    session.delete(rule)
    session.flush()
    assert reads(6) == (1, 1)
    assert reads(7) == (0, 0)


def test_a_changed_rule_applies_to_the_next_event(session: Session, world: World) -> None:
    first, _ = counted(session, world, 1, external_alert_id="A-1", condition="c1")
    assert first.outcome == "ticket_created"
    catch_all = session.scalars(
        select(AlertRule).where(AlertRule.tenant == world.tenant, AlertRule.name == "catch-all")
    ).one()
    catch_all.actions = {"create_ticket": False}
    session.flush()
    second, _ = counted(session, world, 2, external_alert_id="A-2", condition="c2")
    assert second.outcome == "recorded_only"


def test_dedup_does_not_grow_with_earlier_occurrences(session: Session, world: World) -> None:
    counted(session, world, 0, external_alert_id="A-0")
    sizes = [len(counted(session, world, m, external_alert_id=f"A-{m}")[1]) for m in range(1, 41)]
    assert sizes[1] == sizes[-1] <= 6, sizes


SHAPES = {  # an event of each outcome, the i-th of its kind
    "ticket_created": lambda i: {"condition": f"new-{i}"},
    "occurrence_appended": lambda i: {"condition": "warm"},
    "suppressed": lambda i: {"condition": f"quiet-{i}", "device": "unknown-device"},
}


@pytest.mark.parametrize("expected", SHAPES)
def test_no_statement_is_compiled_again(session: Session, world: World, expected: str) -> None:
    """After an outcome's first events, its statements all come from SQLAlchemy's cache of
    compiled statements (compiling one costs far more than running it)."""
    warm(session, world)
    for i in (1, 2):
        counted(session, world, i, external_alert_id=f"A-{i}", **SHAPES[expected](i))
    with compilations(session.connection()) as compiled:
        outcome = process_alert_event(
            session, world.event(external_alert_id="A-3", **SHAPES[expected](3)), NOW
        )
    assert outcome.outcome == expected
    assert compiled == []


def test_every_statement_is_counted(session: Session, world: World) -> None:
    """The listener itself must see the pipeline's work, or the budgets above prove nothing."""
    _, seen = counted(session, world, 1)
    assert any(s.startswith("INSERT INTO alert_lock ") for s in seen)
    assert any(s.startswith("INSERT INTO ticket ") for s in seen)
    assert any(s.startswith("INSERT INTO alert ") for s in seen)
