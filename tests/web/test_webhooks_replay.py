"""Deliveries that fail to process: answered 202, kept as "failed" in the inbox, and processed
later by the replay (API, and the `alertdesk inbound replay` CLI on committed data).

Failures are forced with data, not mocks: stored integration settings the pipeline cannot read
(fixable by an admin, so a replay then succeeds)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alertdesk.app import create_app
from alertdesk.cli import app as cli_app
from alertdesk.runtime import Runtime
from alertdesk.services.accounts.auth import issue_token
from alertdesk.services.accounts.tenants import create_tenant
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.storage.migrate import upgrade
from alertdesk.storage.models import Integration
from alertdesk.testing.fakes import FakeVendors
from tests.conftest import TenantCtx
from tests.web.api_helpers import make_client
from tests.web.webhook_support import (
    Connected,
    add_rule,
    alerts,
    connect_ninja,
    deliver,
    inbound_events,
    payload,
    processed,
    tickets,
)

TRIGGER = payload("ninjaone", "condition_triggered.json")
NUL_TRIGGER = payload(
    "ninjaone", "condition_triggered.json", seriesUid="nul-series", message="disk\u0000full"
)


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Connected:
    make_client(client, tenant.headers, "KMSP Radio Station")  # organization 2 auto-links to it
    integration = connect_ninja(client, tenant.headers)
    add_rule(client, integration)
    return integration


def break_settings(session: Session, integration: Connected) -> None:
    """Stored settings the pipeline cannot read: processing raises until an admin fixes them."""
    session.execute(
        update(Integration)
        .where(Integration.id == uuid.UUID(integration.id))
        .values(settings={"default_severity": "apocalyptic"})
    )
    session.flush()


def fix_settings(client: TestClient, integration: Connected) -> None:
    body = {"settings": {"default_severity": "minor"}}
    url = f"/api/v1/integrations/{integration.id}"
    assert client.patch(url, json=body, headers=integration.admin).status_code == 200


def replay(client: TestClient, integration: Connected) -> dict[str, int]:
    url = f"/api/v1/integrations/{integration.id}/inbound-events/replay"
    response = client.post(url, headers=integration.admin)
    assert response.status_code == 200, response.text
    counts: dict[str, int] = response.json()
    return counts


# --- processing failures and replay -----------------------------------------------------------


def test_a_delivery_that_fails_to_process_is_202_kept_failed_and_replayable(
    client: TestClient, session: Session, ninja: Connected
) -> None:
    break_settings(session, ninja)
    response = deliver(client, ninja, TRIGGER)
    assert response.status_code == 202, response.text
    answer = response.json()
    assert (answer["processed"], answer["queued"]) == (False, True)
    [event] = inbound_events(client, ninja)
    assert (event["id"], event["status"], event["attempts"]) == (
        answer["inbound_event_id"], "failed", 1)  # fmt: skip
    assert "Input should be" in event["error"]
    assert alerts(client, ninja.admin) == []
    assert replay(client, ninja) == {"attempted": 1, "processed": 0, "still_failing": 1}
    fix_settings(client, ninja)
    assert replay(client, ninja) == {"attempted": 1, "processed": 1, "still_failing": 0}
    [event] = inbound_events(client, ninja)
    assert (event["status"], event["attempts"]) == ("processed", 3)
    assert event["outcome"]["outcome"] == "ticket_created"
    assert len(tickets(client, ninja.admin)) == 1
    assert replay(client, ninja)["attempted"] == 0


def test_a_nul_character_in_a_value_is_dropped_not_fatal(
    client: TestClient, ninja: Connected
) -> None:
    """PostgreSQL text cannot hold NUL: it is removed when the body is parsed."""
    processed(deliver(client, ninja, NUL_TRIGGER), "ticket_created")
    [alert] = alerts(client, ninja.admin)
    assert alert["message"] == "diskfull"


@pytest.fixture
def committed(make_database: Callable[[], str], tmp_path: Path) -> Iterator[tuple[str, Database]]:
    """A fresh, migrated database whose transactions really commit (the CLI must see them)."""
    url = make_database()
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    database = Database.from_url(url)
    yield url, database
    database.dispose()


def test_cli_inbound_replay_processes_committed_failed_deliveries(
    committed: tuple[str, Database], tmp_path: Path, vendors: FakeVendors
) -> None:
    url, database = committed
    with database.transaction() as session:
        _, admin = create_tenant(session, "Replay MSP", "admin@replay.test", "pw-long-1")
        token = issue_token(session, admin, "test", datetime.now(UTC)).secret
    with database.transaction() as session:
        create_tenant(session, "Quiet MSP", "admin@quiet.test", "pw-long-1")
    settings = Settings(database_url=url, data_dir=tmp_path, secret_key="k" * 48)
    app = create_app(Runtime.build(settings, database, http=vendors.client()))
    admin_headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        make_client(client, admin_headers, "KMSP Radio Station")
        ninja = connect_ninja(client, admin_headers)
        add_rule(client, ninja)
        with database.transaction() as session:
            break_settings(session, ninja)
        assert deliver(client, ninja, TRIGGER).status_code == 202
        fix_settings(client, ninja)
        env = {"ALERTDESK_DATABASE_URL": url, "ALERTDESK_DATA_DIR": str(tmp_path),
               "ALERTDESK_SECRET_KEY": "k" * 48}  # fmt: skip
        runner = CliRunner()
        quiet = runner.invoke(cli_app, ["inbound", "replay", "--tenant", "Quiet MSP"], env=env)
        assert quiet.exit_code == 0, quiet.output
        assert "replayed 0 failed deliveries" in quiet.output
        result = runner.invoke(cli_app, ["inbound", "replay"], env=env)
        assert result.exit_code == 0, result.output
        assert "replayed 1 failed deliveries: 1 processed, 0 still failing" in result.output
        [event] = inbound_events(client, ninja)
        assert (event["status"], event["outcome"]["outcome"]) == ("processed", "ticket_created")
        assert len(tickets(client, admin_headers)) == 1
