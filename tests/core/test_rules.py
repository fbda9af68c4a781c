"""T003 condition matrix, T004 rule selection, T005 broken stored rules, T010 schemas."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from alertdesk.core.rules import (
    Rule,
    RuleActions,
    RuleConditions,
    compile_pattern,
    conditions_match,
    match_rule,
)
from alertdesk.core.types import AlertEvent

BARE = AlertEvent(
    tenant=uuid.UUID(int=1),
    integration_id=uuid.UUID(int=2),
    provider="ninjaone",
    kind="triggered",
    external_alert_id="alert-1",
    occurred_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
)
EVENT = replace(
    BARE,
    severity="critical",
    activity_type="CONDITION",
    alert_class="DISK_SPACE_LOW",
    source_type="condition",
    external_org_id="500",
    message="Disk C: is at 95% capacity",
)
BOARD = "6f1c2a52-8c1e-4a53-9d0b-0b6f8f8a2c11"


def rule(
    name: str,
    order: int,
    conditions: dict[str, Any] | None = None,
    actions: dict[str, Any] | None = None,
    *,
    active: bool = True,
) -> Rule:
    return Rule(
        id=uuid.uuid5(uuid.NAMESPACE_URL, name),
        name=name,
        priority_order=order,
        conditions=conditions or {},
        actions=actions or {},
        is_active=active,
    )


P = pytest.param
MATRIX = [
    P({}, {}, True, id="catch-all"),
    P({}, None, True, id="catch-all-on-bare-event"),
    P({"severities": ["critical", "major"]}, {}, True, id="severity-listed"),
    P({"severities": ["minor"]}, {}, False, id="severity-not-listed"),
    P({"activity_types": ["CONDITION"]}, {}, True, id="activity-type-equal"),
    P({"activity_types": ["condition"]}, {}, False, id="activity-type-case-sensitive"),
    P({"activity_types": ["CONDITION"]}, {"activity_type": None}, False, id="activity-type-none"),
    P({"alert_classes": ["X", "DISK_SPACE_LOW"]}, {}, True, id="alert-class-any-of"),
    P({"alert_classes": ["DISK_SPACE"]}, {}, False, id="alert-class-no-substring"),
    P({"alert_classes": ["DISK_SPACE_LOW"]}, {"alert_class": None}, False, id="alert-class-none"),
    P({"source_types": ["condition"]}, {}, True, id="source-type-equal"),
    P({"source_types": ["CONDITION"]}, {}, False, id="source-type-case-sensitive"),
    P({"source_types": ["condition"]}, {"source_type": None}, False, id="source-type-none"),
    P({"organization_ids": ["500"]}, {}, True, id="organization-equal"),
    P({"organization_ids": ["501"]}, {}, False, id="organization-differs"),
    P({"organization_ids": ["500"]}, {"external_org_id": None}, False, id="organization-none"),
    P({"keywords": ["DISK c:"]}, {}, True, id="keyword-case-insensitive"),
    P({"keywords": ["memory", "capacity"]}, {}, True, id="keywords-any-of"),
    P({"keywords": ["memory", "cpu"]}, {}, False, id="keywords-none-present"),
    P({"keywords": ["disk"]}, {"message": None}, False, id="keywords-message-none"),
    P({"message_pattern": "at 9[0-9]% capacity"}, {}, True, id="pattern-search-not-fullmatch"),
    P({"message_pattern": "^capacity"}, {}, False, id="pattern-anchor-respected"),
    P({"message_pattern": "disk c:"}, {}, False, id="pattern-case-sensitive"),
    P({"message_pattern": "(?i)disk c:"}, {}, True, id="pattern-inline-ignorecase"),
    P({"message_pattern": "(?i)disk.*full"}, {"message": "DISK is Full"}, True, id="re2-(?i)"),
    P({"message_pattern": "disk"}, {"message": None}, False, id="pattern-message-none"),
    P(
        {"severities": ["critical"], "alert_classes": ["DISK_SPACE_LOW"], "keywords": ["disk"]},
        {},
        True,
        id="several-all-match",
    ),
    P(
        {"severities": ["critical"], "alert_classes": ["DISK_SPACE_LOW"], "keywords": ["cpu"]},
        {},
        False,
        id="several-one-misses",
    ),
    P(
        {"source_types": ["condition"], "message_pattern": "9[0-9]%", "organization_ids": ["9"]},
        {},
        False,
        id="several-org-misses",
    ),
]


@pytest.mark.parametrize(("conditions", "changes", "expected"), MATRIX)
def test_condition_matrix(
    conditions: dict[str, Any], changes: dict[str, Any] | None, expected: bool
) -> None:
    event = BARE if changes is None else replace(EVENT, **changes)
    assert conditions_match(RuleConditions.model_validate(conditions), event) is expected


def test_missing_message_is_searched_as_empty_text_like_the_original() -> None:
    """The original runs `new RegExp(p).test(message ?? '')`; a pattern matching '' still hits."""
    conditions = RuleConditions.model_validate({"message_pattern": "^$"})
    assert conditions_match(conditions, replace(EVENT, message=None))


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        P([rule("late", 20), rule("early", 10)], "early", id="lower-priority-order-wins"),
        P([rule("off", 1, active=False), rule("on", 2)], "on", id="inactive-skipped"),
        P(
            [rule("miss", 1, {"severities": ["minor"]}), rule("hit", 2), rule("also", 3)],
            "hit",
            id="first-match-wins",
        ),
        P([rule("miss", 1, {"keywords": ["cpu"]})], None, id="nothing-matches"),
        P([rule("off", 1, active=False)], None, id="only-inactive"),
        P([], None, id="no-rules"),
    ],
)
def test_rule_selection(rules: list[Rule], expected: str | None) -> None:
    result = match_rule(rules, EVENT)
    assert (result.rule.name if result.rule else None) == expected
    assert (result.actions is not None) is (expected is not None)
    assert result.warnings == ()


@pytest.mark.parametrize(
    "broken",
    [
        P({"message_pattern": "("}, id="unbalanced-regex"),
        P({"message_pattern": r"(a)\1"}, id="backreference-re2-rejects"),
        P({"alertClasses": ["DISK_SPACE_LOW"]}, id="unknown-key"),
        P({"severities": ["urgent"]}, id="bad-severity"),
        P({"keywords": [""]}, id="empty-string"),
    ],
)
def test_broken_stored_conditions_are_skipped_with_a_warning(broken: dict[str, Any]) -> None:
    result = match_rule([rule("Broken rule", 1, broken), rule("Fallback", 2)], EVENT)
    assert result.rule is not None
    assert result.rule.name == "Fallback"
    assert result.actions == RuleActions()
    assert len(result.warnings) == 1
    assert "'Broken rule'" in result.warnings[0]
    assert "skipped" in result.warnings[0]


def test_stored_empty_arrays_count_as_absent() -> None:
    stored = {"severities": [], "keywords": [], "alert_classes": ["DISK_SPACE_LOW"]}
    result = match_rule([rule("Legacy", 1, stored)], EVENT)
    assert result.rule is not None
    assert result.rule.name == "Legacy"
    assert result.warnings == ()


@pytest.mark.parametrize(
    "actions",
    [
        P({"board_id": "not-a-uuid"}, id="non-uuid-board"),
        P({"ticketTemplate": {}}, id="unknown-key"),
        P({"notify_user_ids": ["bob"]}, id="non-uuid-notify"),
    ],
)
def test_invalid_stored_actions_record_only_with_a_warning(actions: dict[str, Any]) -> None:
    result = match_rule([rule("Bad actions", 1, {}, actions), rule("Next", 2)], EVENT)
    assert result.rule is not None
    assert result.rule.name == "Bad actions"
    assert result.actions is None
    assert len(result.warnings) == 1
    assert "'Bad actions'" in result.warnings[0]


def test_invalid_actions_on_a_rule_that_does_not_match_are_not_reported() -> None:
    rules = [rule("Miss", 1, {"severities": ["minor"]}, {"board_id": "x"}), rule("Hit", 2)]
    result = match_rule(rules, EVENT)
    assert result.rule is not None
    assert result.rule.name == "Hit"
    assert result.warnings == ()


@pytest.mark.parametrize(
    "conditions",
    [
        P({"severity": ["critical"]}, id="unknown-key"),
        P({"alertClasses": ["X"]}, id="camel-case-key"),
        P({"severities": []}, id="empty-severities"),
        P({"activity_types": []}, id="empty-activity-types"),
        P({"alert_classes": []}, id="empty-alert-classes"),
        P({"source_types": []}, id="empty-source-types"),
        P({"organization_ids": []}, id="empty-organization-ids"),
        P({"keywords": []}, id="empty-keywords"),
        P({"keywords": [""]}, id="empty-keyword"),
        P({"alert_classes": ["   "]}, id="blank-alert-class"),
        P({"message_pattern": ""}, id="empty-pattern"),
        P({"severities": ["urgent"]}, id="bad-severity"),
        P({"severities": "critical"}, id="severities-not-a-list"),
        P({"message_pattern": "("}, id="unbalanced-regex"),
        P({"message_pattern": r"(a)\1"}, id="backreference"),
        P({"message_pattern": "(?<=a)b"}, id="lookbehind"),
    ],
)
def test_condition_schema_rejects(conditions: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RuleConditions.model_validate(conditions)


@pytest.mark.parametrize(
    "actions",
    [
        P({"createTicket": True}, id="unknown-key"),
        P({"board_id": "board-1"}, id="non-uuid-board"),
        P({"priority_override": "high"}, id="non-uuid-priority"),
        P({"assign_to_user_id": "42"}, id="non-uuid-assignee"),
        P({"auto_resolve_status_id": "closed"}, id="non-uuid-status"),
        P({"notify_user_ids": [BOARD, "x"]}, id="non-uuid-notify"),
        P({"title_template": "t" * 501}, id="title-template-too-long"),
    ],
)
def test_action_schema_rejects(actions: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RuleActions.model_validate(actions)


def test_action_defaults() -> None:
    actions = RuleActions.model_validate({})
    assert actions.create_ticket is True
    assert actions.auto_resolve_ticket is False
    assert actions.reset_alert_on_ticket_close is True
    assert actions.notify_user_ids == []
    assert actions.board_id is None
    assert actions.priority_override is None
    assert actions.assign_to_user_id is None
    assert actions.title_template is None
    assert actions.description_template is None
    assert actions.auto_resolve_status_id is None


def test_actions_accept_uuid_strings() -> None:
    actions = RuleActions.model_validate({"board_id": BOARD, "notify_user_ids": [BOARD]})
    assert actions.board_id == uuid.UUID(BOARD)
    assert actions.notify_user_ids == [uuid.UUID(BOARD)]


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        P("(?i)disk.*full", "The DISK is nearly FULL", True, id="inline-ignorecase"),
        P("disk.*full", "The DISK is nearly FULL", False, id="case-sensitive-by-default"),
        P("[0-9]+%", "at 95% capacity", True, id="search-semantics"),
    ],
)
def test_compile_pattern_uses_re2(pattern: str, text: str, found: bool) -> None:
    assert (compile_pattern(pattern).search(text) is not None) is found


@pytest.mark.parametrize("pattern", [P("(", id="unbalanced"), P(r"(a)\1", id="backreference")])
def test_compile_pattern_raises_value_error(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid regular expression"):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    "flag", ["create_ticket", "auto_resolve_ticket", "reset_alert_on_ticket_close"]
)
@pytest.mark.parametrize("value", ["yes", "true", 1, 0])
def test_action_flags_must_be_real_booleans(flag: str, value: object) -> None:
    with pytest.raises(ValidationError):
        RuleActions.model_validate({flag: value})
