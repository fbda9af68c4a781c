"""Migration 0005 repairs alert times that earlier versions stored unreadably."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from alertdesk.core.types import AlertEvent
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.storage.migrate import alembic_config, upgrade
from alertdesk.storage.models import Alert
from tests.services.alerts.pipeline_fixtures import build_world

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_unreadable_alert_times_become_the_receive_time(make_database: Callable[[], str]) -> None:
    engine = create_engine(make_database())
    try:
        upgrade(engine)
        with Session(engine) as session, session.begin():
            tenant, admin = create_tenant(session, "Repair MSP", "r@example.com", "x" * 12)
            world = build_world(session, tenant.tenant, admin.id)
            event: AlertEvent = world.event(kind="triggered", external_alert_id="poisoned")
            alert_id = process_alert_event(session, event, NOW).alert_id
        with engine.begin() as conn:  # what an earlier version stored
            conn.execute(
                text(
                    "update alert set triggered_at = '0001-01-01 00:00:00+05', "
                    "last_occurrence_at = timestamptz '9999-12-31 23:59:59-05', "
                    "resolved_at = timestamptz '9999-12-31 23:59:59-05', "
                    "created_at = :now, updated_at = :now where id = :id"
                ),
                {"now": NOW, "id": alert_id},
            )
        config = alembic_config(engine)
        command.downgrade(config, "0004")
        command.upgrade(config, "head")
        with Session(engine) as session:
            alert = session.scalars(select(Alert).where(Alert.id == alert_id)).one()
            times = (alert.triggered_at, alert.last_occurrence_at, alert.resolved_at)
            assert times == (NOW, NOW, NOW)
            assert alert.acknowledged_at is None
    finally:
        engine.dispose()
