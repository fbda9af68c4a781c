"""Shared constants and helpers for the TacticalRMM webhook and template tests."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import WebhookContext
from alertdesk.providers.tacticalrmm.webhook import TacticalWebhook
from alertdesk.testing.fakes import fixture

NOW = datetime(2026, 6, 20, 8, 30, tzinfo=UTC)
CTX = WebhookContext(uuid.UUID(int=11), uuid.UUID(int=22), "moderate", NOW)
AGENT = "kBgMqvYwUeVQhMJrmxHsdbuxIOZpLfDUtXEnCkwa"
CHECK = "Disk Space Check: Drive C: -  Warning Threshold: 25% Error Threshold: 10%"
DISK_MESSAGE = f"FRONTDESK-01 has a diskspace check: {CHECK} that failed."
ALERT_TIME = datetime(2026, 6, 16, 14, 3, 22, 512344, tzinfo=UTC)
RESOLVED_ON = datetime(2026, 6, 16, 15, 10, 5, 4211, tzinfo=UTC)
# Tactical's placeholder syntax (T-SRC tacticalrmm/utils.py RE_DB_VALUE)
PLACEHOLDER = re.compile(r"\{\{\s*(client|site|agent|global|alert)(\.[\w\-\s\.]+)+\s*\}\}")
WEBHOOK = TacticalWebhook()


def event_of(payload: Any, ctx: WebhookContext = CTX) -> AlertEvent:
    result = WEBHOOK.normalize(payload, ctx)
    assert isinstance(result, AlertEvent), result
    return result


DISK_SUMMARY = "Disk Space Check failed: Drive C: - Warning Threshold: 25% Error Threshold: 10%"


def disk_event(name: str, **fields: Any) -> AlertEvent:
    base = AlertEvent(
        tenant=CTX.tenant,
        integration_id=CTX.integration_id,
        provider="tacticalrmm",
        kind="triggered",
        external_alert_id="1423",
        occurred_at=ALERT_TIME,
        severity="critical",
        external_device_id=AGENT,
        condition_identity=CHECK,
        activity_type="check",
        alert_class="check",
        source_type="tacticalrmm",
        message=DISK_MESSAGE,
        device_name="FRONTDESK-01",
        external_org_id="3",
        raw=fixture("tacticalrmm", name),
        summary=DISK_SUMMARY,
    )
    return replace(base, **fields)
