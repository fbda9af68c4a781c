"""Workflow filters over event payloads, and `{{event.key}}` inputs filled from them."""

from __future__ import annotations

from typing import Any

import pytest

from alertdesk.core.workflows import WorkflowFilter, fill, filter_matches, uses_template

P = pytest.param
PAYLOAD = {"provider": "ninjaone", "severity": "critical", "message": "Disk C: almost full",
           "alert_class": "disk", "source_type": "condition", "count": 3, "flag": True}  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        P({}, True, id="empty-matches-all"),
        P({"providers": ["ninjaone", "huntress"]}, True, id="provider"),
        P({"providers": ["tacticalrmm"]}, False, id="other-provider"),
        P({"severities": ["critical"], "keywords": ["DISK"]}, True, id="severity-and-keyword"),
        P({"severities": ["minor"]}, False, id="other-severity"),
        P({"message_pattern": r"C:\s+almost"}, True, id="regex"),
        P({"message_pattern": "^Memory"}, False, id="regex-miss"),
        P({"alert_classes": ["disk"], "source_types": ["condition"]}, True, id="class-and-source"),
        P({"activity_types": ["CONDITION"]}, False, id="a-key-the-event-lacks-fails"),
        P({"organization_ids": ["7"]}, False, id="org-absent"),
    ],
)
def test_filter_matches(condition: dict[str, Any], expected: bool) -> None:
    assert filter_matches(WorkflowFilter.model_validate(condition), PAYLOAD) is expected


def test_filter_on_an_event_without_a_message_or_with_odd_types() -> None:
    odd = {"message": 5, "severity": ["critical"]}
    assert filter_matches(WorkflowFilter(keywords=["x"]), odd) is False
    assert filter_matches(WorkflowFilter(severities=["critical"]), odd) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        P("{{event.count}}", 3, id="whole-placeholder-keeps-its-type"),
        P(" {{ event.flag }} ", True, id="spaces-allowed"),
        P("n={{event.count}} f={{event.flag}}", "n=3 f=true", id="inside-text"),
        P("{{event.nothing}}", None, id="unknown-whole-is-none"),
        P("x{{event.nothing}}y", "xy", id="unknown-inside-is-empty"),
        P("{{device}} {{event.provider}}", "{{device}} ninjaone", id="other-braces-stay"),
        P(["{{event.severity}}", {"k": "{{event.message}}"}],
          ["critical", {"k": "Disk C: almost full"}], id="nested"),
        P(7, 7, id="not-text"),
    ],
)  # fmt: skip
def test_fill(value: Any, expected: Any) -> None:
    assert fill(value, PAYLOAD) == expected


def test_uses_template() -> None:
    assert uses_template({"a": ["x", "{{event.id}}"]})
    assert not uses_template({"a": ["{{id}}", 5]})
