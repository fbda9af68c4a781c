"""The vendors' active-alert lists (for reconciliation) normalize with the webhook's identity,
and any values in them give only storable events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from alertdesk.core.dedup import dedup_key
from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import WebhookContext
from alertdesk.providers.http import json_of
from alertdesk.providers.ninjaone import alerts as ninja_alerts
from alertdesk.providers.ninjaone.webhook import NinjaOneWebhook
from alertdesk.providers.tacticalrmm import alerts as tactical_alerts
from alertdesk.providers.tacticalrmm.webhook import TacticalWebhook
from alertdesk.testing.fakes import fixture
from tests.providers.test_normalizer_properties import VALUES, check

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CTX = WebhookContext(uuid.uuid4(), uuid.uuid4(), "none", NOW)
DEVICES = {"7": {"id": 7, "organizationId": 2, "displayName": "esxi-03"}}


def test_a_ninjaone_alert_has_the_identity_of_its_webhook() -> None:
    hook = fixture("ninjaone", "condition_triggered.json")
    item = fixture("ninjaone", "alerts_list.json")[0] | {
        "uid": hook["seriesUid"], "deviceId": hook["deviceId"],
        "sourceConfigUid": hook["sourceConfigUid"],
    }  # fmt: skip
    (polled,) = ninja_alerts.alert_events([item], DEVICES, CTX)
    webhook = NinjaOneWebhook().normalize(hook, CTX)
    assert not isinstance(webhook, type(None))
    assert (polled.external_alert_id, polled.external_alert_uid) == (hook["seriesUid"],) * 2
    assert dedup_key(polled) == dedup_key(webhook)  # type: ignore[arg-type]
    assert (polled.external_org_id, polled.device_name) == ("2", "esxi-03")
    assert (polled.kind, polled.severity) == ("triggered", "major")


def test_every_captured_ninjaone_alert_normalizes() -> None:
    items = fixture("ninjaone", "alerts_list.json")
    events = ninja_alerts.alert_events(items, {}, CTX)
    assert [e.external_alert_id for e in events] == [i["uid"] for i in items]
    assert all(e.occurred_at.year >= 2026 for e in events)  # createTime is epoch seconds


def test_a_tactical_alert_has_the_identity_of_its_webhook() -> None:
    hook = fixture("tacticalrmm", "webhook_trigger.json") | {"check_id": "311"}
    items = fixture("tacticalrmm", "alerts_list.json")
    events = tactical_alerts.alert_events(items, {"Acme Dental": "3"}, CTX)
    assert [e.external_alert_id for e in events] == [
        str(i["id"]) for i in items if not i["resolved"]
    ]
    polled = next(e for e in events if e.external_alert_id == "1423")
    webhook = TacticalWebhook().normalize(hook, CTX)
    assert dedup_key(polled) == dedup_key(webhook)  # type: ignore[arg-type]
    assert (polled.external_org_id, polled.severity) == ("3", webhook.severity)  # type: ignore[union-attr]


def _ninja(items: list[Any]) -> list[AlertEvent]:
    return ninja_alerts.alert_events(items, DEVICES, CTX)


def _tactical(items: list[Any]) -> list[AlertEvent]:
    return tactical_alerts.alert_events(items, {}, CTX)


LISTS: list[tuple[str, Callable[[list[Any]], list[AlertEvent]]]] = [
    ("ninjaone", _ninja),
    ("tacticalrmm", _tactical),
]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=st.data())
def test_any_values_in_the_lists_give_storable_events(data: st.DataObject) -> None:
    for vendor, normalize in LISTS:
        base: dict[str, Any] = dict(fixture(vendor, "alerts_list.json")[0])
        keys = data.draw(st.lists(st.sampled_from(sorted(base)), max_size=5), label="keys")
        changed = base | {key: data.draw(VALUES, label=key) for key in keys}
        body = json.dumps([changed, data.draw(VALUES, label="other")], ensure_ascii=True)
        parsed = json_of(httpx.Response(200, text=body), "vendor")  # as the API client reads it
        for event in normalize(parsed):
            check(event)
