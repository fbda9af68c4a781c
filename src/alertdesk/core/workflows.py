"""Workflows, the pure part: the filter (the alert-rule condition language plus providers)
matched against an event's payload, and `{{event.<key>}}` templates filled from it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from alertdesk.core.rules import RuleConditions, compile_pattern

TEMPLATE = re.compile(r"\{\{\s*event\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
WHOLE = re.compile(r"^\s*\{\{\s*event\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$")


class WorkflowFilter(RuleConditions):
    """An alert rule's conditions, plus the providers the event must come from."""

    providers: list[str] | None = Field(default=None, min_length=1)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _one_of(wanted: Sequence[str] | None, value: Any) -> bool:
    return not wanted or (isinstance(value, str) and value in wanted)


def filter_matches(condition: WorkflowFilter, payload: Mapping[str, Any]) -> bool:
    """Every condition set must hold for the payload; a key the event does not carry fails it."""
    message = _text(payload.get("message")) or ""
    return (
        _one_of(condition.providers, payload.get("provider"))
        and _one_of(condition.severities, payload.get("severity"))
        and _one_of(condition.activity_types, payload.get("activity_type"))
        and _one_of(condition.alert_classes, payload.get("alert_class"))
        and _one_of(condition.source_types, payload.get("source_type"))
        and _one_of(condition.organization_ids, payload.get("external_org_id"))
        and (
            not condition.keywords or any(k.lower() in message.lower() for k in condition.keywords)
        )
        and (
            not condition.message_pattern
            or compile_pattern(condition.message_pattern).search(message) is not None
        )
    )


def fill(value: Any, payload: Mapping[str, Any]) -> Any:
    """Inputs with `{{event.key}}` filled: a value that is only a placeholder takes the payload
    value as it is (a number stays a number); inside text it becomes text; unknown keys → ""."""
    if isinstance(value, str):
        whole = WHOLE.match(value)
        if whole:
            return payload.get(whole.group(1))
        return TEMPLATE.sub(lambda m: _as_text(payload.get(m.group(1))), value)
    if isinstance(value, list):
        return [fill(item, payload) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, payload) for key, item in value.items()}
    return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def uses_template(value: Any) -> bool:
    """Whether an input value refers to the event (then it is checked once filled)."""
    if isinstance(value, str):
        return TEMPLATE.search(value) is not None
    if isinstance(value, list):
        return any(uses_template(item) for item in value)
    if isinstance(value, dict):
        return any(uses_template(item) for item in value.values())
    return False
