"""Every real alert payload we hold gets a default ticket title a technician can read: what is
wrong and on which device, never a bare condition code."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from alertdesk.core.alert_summary import is_code
from alertdesk.core.templates import default_title
from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import Ignored, WebhookContext
from alertdesk.providers.ninjaone import alerts as ninja_alerts
from alertdesk.providers.ninjaone.webhook import NinjaOneWebhook
from alertdesk.providers.tacticalrmm import alerts as tactical_alerts
from alertdesk.providers.tacticalrmm.webhook import TacticalWebhook
from alertdesk.testing.fakes import FIXTURES, fixture, fixture_bytes

P = pytest.param
CTX = WebhookContext(uuid.uuid4(), uuid.uuid4(), "none", datetime(2026, 6, 16, 15, tzinfo=UTC))
SNAKE_CASE = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
Reader = Callable[[str, str], list[AlertEvent]]


def ninja_webhook(vendor: str, name: str) -> list[AlertEvent]:
    hook = NinjaOneWebhook()
    event = hook.normalize(hook.parse(fixture_bytes(vendor, name)), CTX)
    return [] if isinstance(event, Ignored) else [event]


def tactical_webhook(vendor: str, name: str) -> list[AlertEvent]:
    hook = TacticalWebhook()
    event = hook.normalize(hook.parse(fixture_bytes(vendor, name)), CTX)
    return [] if isinstance(event, Ignored) else [event]


def ninja_polled(vendor: str, name: str) -> list[AlertEvent]:
    """As the poller reads them: each alert's device named by GET /v2/devices."""
    items: list[dict[str, Any]] = fixture(vendor, name)
    devices = {str(i["deviceId"]): {"displayName": f"CC-WS{i['deviceId']}"} for i in items}
    return ninja_alerts.alert_events(items, devices, CTX)


def tactical_polled(vendor: str, name: str) -> list[AlertEvent]:
    """Resolved ones too (the poller skips them, but their texts are titles all the same)."""
    data: Any = fixture(vendor, name)
    items = data if isinstance(data, list) else [data]
    return tactical_alerts.alert_events([i | {"resolved": False} for i in items], {}, CTX)


def not_an_alert(vendor: str, name: str) -> list[AlertEvent]:
    return []


# every fixture file, and how an alert comes out of it (or why none does)
READERS: dict[tuple[str, str], tuple[Reader, int]] = {
    ("ninjaone", "condition_triggered.json"): (ninja_webhook, 1),
    ("ninjaone", "condition_triggered_disk.json"): (ninja_webhook, 1),
    ("ninjaone", "condition_reset.json"): (ninja_webhook, 1),
    ("ninjaone", "activity_monitor_reboot.json"): (ninja_webhook, 0),  # ignored: not a condition
    ("ninjaone", "alerts_list.json"): (ninja_polled, 4),
    ("ninjaone", "devices_list.json"): (not_an_alert, 0),
    ("ninjaone", "oauth_token_response.json"): (not_an_alert, 0),
    ("ninjaone", "organizations_list.json"): (not_an_alert, 0),
    ("ninjaone", "webhook_config_put.json"): (not_an_alert, 0),
    ("tacticalrmm", "webhook_trigger.json"): (tactical_webhook, 1),
    ("tacticalrmm", "webhook_trigger_availability.json"): (tactical_webhook, 1),
    ("tacticalrmm", "webhook_resolved.json"): (tactical_webhook, 1),
    ("tacticalrmm", "alerts_list.json"): (tactical_polled, 3),
    ("tacticalrmm", "alert_model.json"): (tactical_polled, 1),
    ("tacticalrmm", "api_requests.json"): (not_an_alert, 0),
    ("tacticalrmm", "urlaction_failure.json"): (not_an_alert, 0),
    ("tacticalrmm", "urlaction_resolved.json"): (not_an_alert, 0),
}


def test_every_fixture_is_in_the_table() -> None:
    held = {(d.name, f.name) for d in FIXTURES.iterdir() for f in d.glob("*.json")}
    assert {key for key in held if key[0] in ("ninjaone", "tacticalrmm")} == set(READERS)


def cases() -> list[Any]:
    params = []
    for (vendor, name), (read, count) in READERS.items():
        events = read(vendor, name)
        assert len(events) == count, (vendor, name)
        params += [P(e, id=f"{vendor}/{name}#{i}") for i, e in enumerate(events)]
    return params


@pytest.mark.parametrize("event", cases())
def test_the_default_title_says_what_is_wrong_and_where(event: AlertEvent) -> None:
    title = default_title(event)
    assert event.device_name, "every captured alert names its device"
    assert title.endswith(f" — {event.device_name}"), title
    what = title.removesuffix(f" — {event.device_name}")
    assert " " in what, title  # words, not one token like `check`
    assert not is_code(what), title
    assert SNAKE_CASE.search(what) is None, title  # no vmm_cond_memory_usage_ge
    for code in (event.alert_class, event.activity_type, event.condition_identity):
        if code and is_code(code):
            assert re.search(rf"(?<!\w){re.escape(code)}(?!\w)", what) is None, (code, title)
    assert len(title) <= 255
    assert CONTROL.search(title) is None, title
    assert title == title.strip()
    assert "  " not in title


@pytest.mark.parametrize(
    ("vendor", "name", "expected"),
    [
        P("ninjaone", "condition_triggered.json",
          "Memory Utilization at or above 80% for 5 minutes — 192.168.50.43", id="memory"),
        P("ninjaone", "condition_triggered_disk.json",
          "Disk C: free space at or below 15% — FRONTDESK-01", id="disk"),
        P("tacticalrmm", "webhook_trigger.json",
          "Disk Space Check failed: Drive C: - Warning Threshold: 25% Error Threshold: 10%"
          " — FRONTDESK-01", id="tactical-check"),
        P("tacticalrmm", "webhook_trigger_availability.json",
          "Agent is overdue (not checking in) — RECEPTION-PC", id="tactical-availability"),
    ],
)  # fmt: skip
def test_titles_of_the_webhook_captures(vendor: str, name: str, expected: str) -> None:
    read = ninja_webhook if vendor == "ninjaone" else tactical_webhook
    (event,) = read(vendor, name)
    assert default_title(event) == expected


def test_titles_of_the_polled_lists() -> None:
    assert [default_title(e) for e in ninja_polled("ninjaone", "alerts_list.json")] == [
        "Script condition triggered: USER - Check for Unauthorized Administrators — CC-WS10",
        "Disk C: free space at or below 15% — CC-WS8",
        "Device offline for 121 minutes — CC-WS1269",
        "At least one OS patch is available with a CVSS score of at least 9.0 for 3 day(s)"
        " — CC-WS1264",
    ]
    assert [default_title(e) for e in tactical_polled("tacticalrmm", "alerts_list.json")][1:] == [
        "Agent is overdue (not checking in) — RECEPTION-PC",
        "Task failed: Nightly backup verification — FS01",
    ]
