"""While PostgreSQL is unreachable: 503 with Retry-After (vendors retry), one log line."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from alertdesk.app import create_app
from alertdesk.runtime import Runtime
from alertdesk.settings import Settings
from alertdesk.storage.database import Database
from alertdesk.testing.fakes import FakeVendors
from alertdesk.web.outage import OutageLog

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1


@pytest.fixture
def down(settings: Settings, vendors: FakeVendors) -> Iterator[TestClient]:
    database = Database.from_url(UNREACHABLE, connect_args={"connect_timeout": 2})
    app = create_app(Runtime.build(settings, database, http=vendors.client()))
    with TestClient(app) as client:
        yield client
    database.dispose()


def test_webhook_deliveries_get_503_with_retry_after_and_one_log_line(
    down: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(3):
        response = down.post(
            f"/webhooks/ninjaone/{uuid.uuid4()}",
            content=b'{"id": 1}',
            headers={"X-Alertdesk-Secret": "s"},
        )
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "30"
        assert "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "alertdesk.database"]
    assert [r.levelno for r in logged] == [logging.ERROR]
    assert "database unreachable" in logged[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]  # no stack trace per request


def test_api_and_ui_requests_get_503_while_the_database_is_down(down: TestClient) -> None:
    api = down.get(
        "/api/v1/tickets", headers={"Authorization": f"Bearer adk_{uuid.uuid4().hex}_s3cret"}
    )
    assert (api.status_code, api.headers.get("retry-after")) == (503, "30")
    assert "unavailable" in api.json()["detail"]
    page = down.get("/ui/login")
    form = {"csrf_token": "t", "email": "a@b.c", "password": "x" * 10}
    down.cookies.set("alertdesk_login_csrf", "t", path="/ui")
    login = down.post("/ui/login", data=form)
    assert page.status_code == 200
    assert login.status_code == 503
    assert down.get("/readyz").status_code == 503
    assert down.get("/healthz").status_code == 200


def test_the_outage_log_says_once_when_it_starts_and_once_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="alertdesk.database")
    outage = OutageLog()
    outage.recovered()  # nothing was down: silent
    for _ in range(5):
        outage.failed(ConnectionError("connection refused"))
    assert outage.down
    outage.recovered()
    outage.recovered()
    outage.failed(ConnectionError("again"))
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "database unreachable (connection refused); answering 503 until it is back",
        "database reachable again",
        "database unreachable (again); answering 503 until it is back",
    ]
