"""Hostile vendor input through the real webhook endpoint: implausible times, non-finite
numbers, quadratic-bait bodies. Each is answered at once, and nothing stored breaks a read."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TenantCtx
from tests.providers.test_normalizer_properties import VALUES
from tests.web.api_helpers import created, make_client
from tests.web.ui_support import sign_in
from tests.web.webhook_support import (
    Connected,
    add_rule,
    connect_ninja,
    connect_tactical,
    deliver,
    get,
    inbound_events,
    map_org,
    payload,
    processed,
)

Json = dict[str, Any]
NINJA_TRIGGER = "condition_triggered.json"
TACTICAL_TRIGGER = "webhook_trigger.json"


@pytest.fixture
def ninja(client: TestClient, tenant: TenantCtx) -> Connected:
    make_client(client, tenant.headers, "KMSP Radio Station")
    integration = connect_ninja(client, tenant.headers)
    add_rule(client, integration)
    return integration


@pytest.fixture
def tactical(client: TestClient, tenant: TenantCtx) -> Connected:
    acme = make_client(client, tenant.headers, "Acme Dental")
    integration = connect_tactical(client, tenant.headers)
    map_org(client, integration, "3", acme["id"])
    add_rule(client, integration)
    return integration


def every_read_works(client: TestClient, tenant: TenantCtx, alert_id: str) -> Json:
    """The alert list, the alert, its ticket (API and page) all answer 200."""
    headers = tenant.headers
    assert any(a["id"] == alert_id for a in get(client, headers, "/alerts"))
    alert: Json = get(client, headers, f"/alerts/{alert_id}")
    if alert["ticket_id"]:
        get(client, headers, f"/tickets/{alert['ticket_id']}")
        sign_in(client, tenant.admin.email)
        page = client.get(f"/ui/tickets/{alert['ticket_id']}")
        assert page.status_code == 200, page.text
    return alert


@pytest.mark.parametrize(
    "alert_time",
    [
        "0001-01-01 00:00:00+05:00",
        "9999-12-31 23:59:59-05:00",
        "1970-01-01 00:00:00+00:00",
        "2999-01-01T00:00:00Z",
    ],
)
def test_implausible_tactical_times_fall_back_to_the_receive_time(
    client: TestClient, tenant: TenantCtx, tactical: Connected, alert_time: str
) -> None:
    before = datetime.now(UTC)
    body = processed(
        deliver(client, tactical, payload("tacticalrmm", TACTICAL_TRIGGER, alert_time=alert_time)),
        "ticket_created",
    )
    assert any("the vendor's time" in w for w in body["warnings"]), body
    alert = every_read_works(client, tenant, body["alert_id"])
    triggered = datetime.fromisoformat(alert["triggered_at"])
    assert before - timedelta(seconds=1) <= triggered <= datetime.now(UTC)
    assert any("received is used instead" in w for w in alert["decision"]["warnings"])


@pytest.mark.parametrize(
    "activity_time",
    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", 253402300799.0, -62135596800],
)
def test_implausible_ninjaone_times_fall_back_to_the_receive_time(
    client: TestClient, tenant: TenantCtx, ninja: Connected, activity_time: object
) -> None:
    body = payload("ninjaone", NINJA_TRIGGER, activityTime=activity_time)
    outcome = processed(deliver(client, ninja, body), "ticket_created")
    alert = every_read_works(client, tenant, outcome["alert_id"])
    assert datetime.fromisoformat(alert["triggered_at"]).year == datetime.now(UTC).year


def test_an_implausible_reset_time_resolves_at_the_receive_time(
    client: TestClient, tenant: TenantCtx, ninja: Connected
) -> None:
    trigger = processed(
        deliver(client, ninja, payload("ninjaone", NINJA_TRIGGER)), "ticket_created"
    )
    reset = payload("ninjaone", "condition_reset.json", activityTime="9999-12-31T23:59:59-05:00")
    processed(deliver(client, ninja, reset), "resolved")
    alert = every_read_works(client, tenant, trigger["alert_id"])
    assert datetime.fromisoformat(alert["resolved_at"]).year == datetime.now(UTC).year


def test_an_extreme_date_beside_a_weekly_window_is_decided_not_crashed(
    client: TestClient, tenant: TenantCtx, tactical: Connected
) -> None:
    every_day = {"type": "weekly", "days": list(range(7)), "start_time": "00:00",
                 "end_time": "23:59", "timezone": "Pacific/Kiritimati"}  # fmt: skip
    window = {"name": "always", "integration_id": tactical.id, "recurrence": every_day}
    created(client.post("/api/v1/maintenance-windows", json=window, headers=tenant.headers))
    body = payload("tacticalrmm", TACTICAL_TRIGGER, alert_time="0001-01-01 00:00:00+14:00")
    response = deliver(client, tactical, body)
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] in ("suppressed", "ticket_created")  # 23:59 to 00:00 is open


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_kept_as_text_and_the_alert_is_processed(
    client: TestClient, tenant: TenantCtx, ninja: Connected, number: str
) -> None:
    text = payload("ninjaone", NINJA_TRIGGER).decode()
    body = text.replace('"activityTime"', f'"metric": {number}, "activityTime"', 1).encode()
    outcome = processed(deliver(client, ninja, body), "ticket_created")
    alert = every_read_works(client, tenant, outcome["alert_id"])
    assert alert["raw"]["metric"] == number
    [event] = inbound_events(client, ninja)
    assert (event["status"], event["attempts"]) == ("processed", 1)


def test_a_non_finite_severity_in_a_tactical_body_is_processed(
    client: TestClient, tactical: Connected
) -> None:
    text = payload("tacticalrmm", TACTICAL_TRIGGER).decode()
    body = text.replace('"severity": "error"', '"severity": NaN').encode()
    assert b"NaN" in body
    response = deliver(client, tactical, body, content_type=None)
    assert response.status_code == 200, response.text


def string_literal_body(inner: str) -> bytes:
    """What Tactical sends when a value broke its JSON: the whole body as one string literal."""
    return json.dumps(inner).encode()


@pytest.mark.parametrize(
    "inner",
    [
        pytest.param('"alert_id": "x"' + " " * 1_040_000 + "y", id="spaces-after-a-quote"),
        pytest.param('"k": "' + '" ' * 340_000, id="quotes-and-spaces"),
        pytest.param(('"k": "v"' + " " * 60 + ",\n") * 13_000, id="many-padded-lines"),
    ],
)
def test_a_one_mib_hostile_tactical_body_is_answered_at_once(
    client: TestClient, tactical: Connected, inner: str
) -> None:
    """Recovery is linear: the old line regex took hours on a 1 MiB body (18 s at 64 KB).

    The bound is generous on purpose; a quadratic parser misses it by orders of magnitude.
    """
    body = string_literal_body(inner)
    assert 900_000 < len(body) <= 1024 * 1024
    started = time.perf_counter()
    response = deliver(client, tactical, body, content_type=None)
    assert time.perf_counter() - started < 10
    assert response.status_code == 400, response.text
    assert client.get("/healthz").status_code == 200


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_values_in_a_delivery_never_5xx_and_every_read_still_works(
    client: TestClient, tenant: TenantCtx, ninja: Connected, data: st.DataObject
) -> None:
    base: Json = json.loads(payload("ninjaone", NINJA_TRIGGER))
    keys = data.draw(st.lists(st.sampled_from(sorted(base)), max_size=4), label="keys")
    changed = base | {key: data.draw(VALUES, label=key) for key in keys}
    body = json.dumps(changed, ensure_ascii=True).encode()
    response = deliver(client, ninja, body)
    assert response.status_code in (200, 400), response.text
    for alert in get(client, tenant.headers, "/alerts"):
        every_read_works(client, tenant, alert["id"])
