"""TacticalRMM URL Action deliveries → AlertEvent.

Tactical renders every placeholder with Python's str(): "None"/"True", datetimes like
`2026-06-16 14:03:22.512344+00:00`, no Content-Type, and, when a value broke the JSON,
the whole body as one JSON string literal. All of that is accepted here.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from alertdesk.core.types import AlertEvent, Severity
from alertdesk.providers.base import BadPayload, Ignored, WebhookContext
from alertdesk.providers.parsing import as_severity, loads, parse_json, parse_time, text_or_none
from alertdesk.providers.tacticalrmm.summary import summarize

KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
SEVERITY_WORDS: tuple[tuple[str, Severity], ...] = (
    ("error", "critical"),
    ("crit", "critical"),
    ("major", "major"),
    ("high", "major"),
    ("warn", "moderate"),
    ("moder", "moderate"),
    ("info", "minor"),
    ("minor", "minor"),
    ("low", "minor"),
)


def _template_line(line: str) -> tuple[str, str] | None:
    """One `"key": "value"` line, as in the templates we hand out (the value may hold quotes).

    Plain string operations, linear in the line's length: a hostile body cannot stall us.
    """
    text = line.strip().removesuffix(",").rstrip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return None
    key, quote, rest = text[1:-1].partition('"')
    rest = rest.lstrip()
    if not quote or not key or not KEY_CHARS.issuperset(key) or not rest.startswith(":"):
        return None
    rest = rest[1:].lstrip()
    return (key, rest[1:]) if rest.startswith('"') else None


def _lenient_object(text: str) -> dict[str, Any]:
    """A body Tactical could not keep as JSON: parse it, else recover it line by line."""
    try:
        value = loads(text)
    except BadPayload:
        fields = dict(pair for pair in map(_template_line, text.splitlines()) if pair)
        if not fields:
            raise BadPayload("body is a string that holds no JSON object") from None
        return fields
    if not isinstance(value, dict):
        raise BadPayload("body is a string that holds no JSON object")
    return value


def _value(payload: dict[str, Any], key: str) -> str | None:
    """The field as text, with Tactical's "None" (and other falsy renderings) as None."""
    text = text_or_none(payload.get(key))
    return None if text in ("None", "False", "") else text


def severity_of(raw: str | None, default: Severity) -> Severity:
    word = (raw or "").lower()
    exact = as_severity(word)
    if exact is not None:
        return exact
    return next((sev for part, sev in SEVERITY_WORDS if part in word), default)


def _is_resolve(payload: dict[str, Any]) -> bool:
    event = (_value(payload, "event") or "trigger").lower()
    return "resolv" in event or _value(payload, "resolved") == "True"


def _synthesized_id(agent: str, condition: str | None, alert_time: datetime) -> str:
    """A stable id for deliveries without alert_id; long check names are hashed to fit."""
    condition_part = condition or ""
    if len(condition_part) > 64:
        condition_part = hashlib.sha256(condition_part.encode()).hexdigest()[:32]
    return f"{agent[:120]}|{condition_part}|{alert_time.isoformat()}"


class TacticalWebhook:
    def parse(self, body: bytes) -> Any:
        payload = parse_json(body)
        if isinstance(payload, str):
            return _lenient_object(payload)
        return payload

    def normalize(self, payload: Any, ctx: WebhookContext) -> AlertEvent | Ignored:
        if not isinstance(payload, dict):
            raise BadPayload(f"expected a JSON object, got {type(payload).__name__}")
        agent = _value(payload, "agent_id")
        if agent is None:
            raise BadPayload("missing required field: agent_id")
        alert_type = _value(payload, "alert_type")
        condition = (
            _value(payload, "check_id")
            or _value(payload, "task_id")
            or _value(payload, "check")
            or _value(payload, "task")
            or alert_type
        )
        resolve = _is_resolve(payload)
        alert_time = parse_time(_value(payload, "alert_time"), ctx.now)
        alert_id = _value(payload, "alert_id")
        event = AlertEvent(
            tenant=ctx.tenant,
            integration_id=ctx.integration_id,
            provider="tacticalrmm",
            kind="reset" if resolve else "triggered",
            external_alert_id=alert_id or _synthesized_id(agent, condition, alert_time),
            match_by_dedup_key=alert_id is None,
            occurred_at=parse_time(_value(payload, "resolved_on"), ctx.now)
            if resolve
            else alert_time,
            severity=severity_of(_value(payload, "severity"), ctx.default_severity),
            external_device_id=agent,
            condition_identity=condition,
            activity_type=alert_type,
            alert_class=alert_type,
            source_type="tacticalrmm",
            message=_value(payload, "message"),
            device_name=_value(payload, "hostname") or _value(payload, "agent_hostname"),
            external_org_id=_value(payload, "client_id"),
            raw=payload,
        )
        return replace(event, summary=summarize(event))
