"""Measure the alert pipeline: events per second and SQL statements per event.

    ALERTDESK_DATABASE_URL=postgresql://.../alertdesk_bench .venv/bin/python bench/pipeline.py [N]

Uses (and migrates) the database in ALERTDESK_DATABASE_URL, or an embedded one; creates a
throwaway tenant. Each event is its own transaction, as a webhook delivery is.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (the statement counter)

from tests.fakes.statements import statements

from alertdesk.core.types import AlertEvent, EventKind
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.services.alerts.pipeline import process_alert_event
from alertdesk.services.tickets.reference import ExternalRef, create_asset, create_client
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import AlertRule, Integration

DEVICES = 50


def setup(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    with db.transaction() as s:
        tenant, _ = create_tenant(s, f"bench {uuid.uuid4().hex[:8]}", "b@bench.test", "pw-long-1")
        t = tenant.tenant
        integration = Integration(
            tenant=t, id=uuid.uuid4(), provider="ninjaone", name="N", settings={}
        )
        s.add(integration)
        s.flush()
        client = create_client(s, t, "Bench client")
        for d in range(DEVICES):
            refs = [ExternalRef("ninjaone", f"dev-{d}")]
            create_asset(
                s, t, client_id=client.id, name=f"D{d}", serial_number=None, external_refs=refs
            )
        s.add(
            AlertRule(
                tenant=t,
                id=uuid.uuid4(),
                integration_id=integration.id,
                name="all",
                conditions={},
                actions={"auto_resolve_ticket": True},
                priority_order=0,
            )
        )
        return t, integration.id


def run(db: Database, label: str, events: list[AlertEvent]) -> None:
    """Statements are counted at the driver: SQLAlchemy's and those run straight on it."""
    count = 0
    started = time.perf_counter()
    for e in events:
        with db.transaction() as s, statements(s.connection()) as seen:
            process_alert_event(s, e, datetime.now(UTC))
        count += len(seen)
    elapsed = time.perf_counter() - started
    n = len(events)
    print(f"{label:<22} {n:>6} events  {n / elapsed:8.1f}/s  {count / n:5.1f} statements/event")


def main(n: int) -> None:
    settings = Settings()
    db = Database.from_settings(settings)
    try:
        upgrade(db.engine)
        tenant, integration = setup(db)
        now = datetime.now(UTC)

        def make(kind: EventKind, i: int, device: int) -> AlertEvent:
            return AlertEvent(
                tenant=tenant,
                integration_id=integration,
                provider="ninjaone",
                kind=kind,
                external_alert_id=f"a-{i}",
                occurred_at=now,
                severity="major",
                external_device_id=f"dev-{device}",
                condition_identity=f"cond-{i % 7}",
                message="Disk C: 95% full",
            )

        runs: tuple[tuple[str, EventKind], ...] = (
            ("trigger (new/dedup)", "triggered"),
            ("replay", "triggered"),
            ("reset", "reset"),
        )
        for label, kind in runs:
            run(db, label, [make(kind, i, i % DEVICES) for i in range(n)])
    finally:
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
