"""The hot path stays cheap: statement budgets per outcome, rules and windows read once each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from alertdesk.core.types import Outcome
from alertdesk.services.alerts.pipeline import process_alert_event
from tests.conftest import TenantCtx
from tests.fakes.statements import statements
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
    return outcome, seen


def reads_of(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.startswith("SELECT") and f"FROM {table} " in f"{s} "]


def test_trigger_that_creates_a_ticket(session: Session, world: World) -> None:
    outcome, seen = counted(session, world, 1)
    assert outcome.outcome == "ticket_created"
    assert len(seen) <= 14, seen  # incl. queueing the event delivery job (once per transaction)
    assert len([s for s in seen if "procrastinate_jobs" in s]) == 1
    assert len(reads_of(seen, "alert_rule")) == 1
    assert len(reads_of(seen, "maintenance_window")) == 1


def test_occurrence_append(session: Session, world: World) -> None:
    counted(session, world, 1, external_alert_id="A-1")
    outcome, seen = counted(session, world, 2, external_alert_id="A-2")
    assert outcome.outcome == "occurrence_appended"
    assert len(seen) <= 8, seen
    assert len(reads_of(seen, "alert_rule")) == 1
    assert len(reads_of(seen, "maintenance_window")) == 1


def test_replay(session: Session, world: World) -> None:
    counted(session, world, 1)
    outcome, seen = counted(session, world, 2)
    assert outcome.outcome == "skipped"
    assert len(seen) <= 8, seen
    assert reads_of(seen, "alert_rule") == reads_of(seen, "maintenance_window") == []


def test_suppressed_reads_no_rules(session: Session, world: World) -> None:
    outcome, seen = counted(session, world, 1, device="unknown-device")  # mapped client's window
    assert outcome.outcome == "suppressed"
    assert len(reads_of(seen, "maintenance_window")) == 1
    assert reads_of(seen, "alert_rule") == []
    assert len(seen) <= 6, seen


def test_every_statement_is_counted(session: Session, world: World) -> None:
    """The listener itself must see the pipeline's work, or the budgets above prove nothing."""
    _, seen = counted(session, world, 1)
    assert any(s.startswith("INSERT INTO alert_lock ") for s in seen)
    assert any(s.startswith("INSERT INTO ticket ") for s in seen)
    assert any(s.startswith("INSERT INTO alert ") for s in seen)
