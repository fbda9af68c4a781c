"""Alert rules: strict condition/action shapes and first-match evaluation (regexes run on RE2)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import re2
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    field_validator,
)

from alertdesk.core.types import AlertEvent, Severity

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
NonEmpty = Field(default=None, min_length=1)


def compile_pattern(pattern: str) -> Any:
    """Compile with RE2 (linear time, so a rule can never stall ingest); raises ValueError."""
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"invalid regular expression: {detail}") from exc


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleConditions(Strict):
    """Every present condition must match; `{}` matches every alert."""

    severities: list[Severity] | None = NonEmpty
    activity_types: list[Text] | None = NonEmpty
    alert_classes: list[Text] | None = NonEmpty
    source_types: list[Text] | None = NonEmpty
    organization_ids: list[Text] | None = NonEmpty
    keywords: list[Text] | None = NonEmpty
    message_pattern: str | None = Field(default=None, min_length=1, max_length=1000)

    @field_validator("message_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            compile_pattern(value)
        return value


class RuleActions(Strict):
    create_ticket: StrictBool = True
    board_id: uuid.UUID | None = None
    priority_override: uuid.UUID | None = None
    assign_to_user_id: uuid.UUID | None = None
    title_template: str | None = Field(default=None, max_length=500)
    description_template: str | None = Field(default=None, max_length=10_000)
    auto_resolve_ticket: StrictBool = False
    auto_resolve_status_id: uuid.UUID | None = None
    reset_alert_on_ticket_close: StrictBool = True
    notify_user_ids: list[uuid.UUID] = []


@dataclass(frozen=True)
class Rule:
    """A stored rule as loaded: conditions/actions are raw JSON, validated when evaluated."""

    id: uuid.UUID
    name: str
    priority_order: int
    conditions: Mapping[str, Any]
    actions: Mapping[str, Any]
    is_active: bool = True


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule | None
    actions: RuleActions | None  # None: no rule matched, or its actions are unusable
    warnings: tuple[str, ...] = field(default=())


def _any_equal(wanted: list[str] | None, value: str | None) -> bool:
    return not wanted or (value is not None and value in wanted)


def conditions_match(conditions: RuleConditions, event: AlertEvent) -> bool:
    pattern = compile_pattern(conditions.message_pattern) if conditions.message_pattern else None
    return _matches(conditions, pattern, event)


def _matches(conditions: RuleConditions, pattern: Any, event: AlertEvent) -> bool:
    message = event.message or ""
    return (
        (not conditions.severities or event.severity in conditions.severities)
        and _any_equal(conditions.activity_types, event.activity_type)
        and _any_equal(conditions.alert_classes, event.alert_class)
        and _any_equal(conditions.source_types, event.source_type)
        and _any_equal(conditions.organization_ids, event.external_org_id)
        and (
            not conditions.keywords
            or any(k.lower() in message.lower() for k in conditions.keywords)
        )
        and (pattern is None or pattern.search(message) is not None)
    )


def _stored_conditions(raw: Mapping[str, Any]) -> RuleConditions:
    """Parse stored conditions; empty arrays written by older versions count as absent."""
    return RuleConditions.model_validate({k: v for k, v in raw.items() if v != []})


@dataclass(frozen=True)
class CompiledRule:
    """A rule parsed and its pattern compiled once; a broken part keeps its reason."""

    rule: Rule
    conditions: RuleConditions | None
    pattern: Any
    actions: RuleActions | None
    conditions_error: str | None = None
    actions_error: str | None = None


def compile_rules(rules: Sequence[Rule]) -> tuple[CompiledRule, ...]:
    """The active rules in evaluation order (lowest priority_order first), ready to match."""
    return tuple(
        _compiled(r)
        for r in sorted((r for r in rules if r.is_active), key=lambda r: r.priority_order)
    )


def _compiled(rule: Rule) -> CompiledRule:
    conditions = pattern = actions = conditions_error = actions_error = None
    try:
        conditions = _stored_conditions(rule.conditions)
        if conditions.message_pattern:
            pattern = compile_pattern(conditions.message_pattern)
    except (ValidationError, ValueError) as exc:
        conditions, conditions_error = None, str(exc)
    try:
        actions = RuleActions.model_validate(rule.actions)
    except ValidationError as exc:
        actions_error = str(exc)
    return CompiledRule(rule, conditions, pattern, actions, conditions_error, actions_error)


def match_rule(rules: Sequence[Rule], event: AlertEvent) -> RuleMatch:
    """The first active rule (lowest priority_order) whose conditions match; broken ones skip."""
    return match_compiled(compile_rules(rules), event)


def match_compiled(rules: Sequence[CompiledRule], event: AlertEvent) -> RuleMatch:
    """`match_rule` over rules compiled beforehand (the pipeline caches them)."""
    warnings: list[str] = []
    for compiled in rules:
        name = compiled.rule.name
        if compiled.conditions is None:
            reason = compiled.conditions_error
            warnings.append(f"rule {name!r} skipped: its conditions are invalid ({reason})")
            continue
        if not _matches(compiled.conditions, compiled.pattern, event):
            continue
        if compiled.actions is None:
            reason = compiled.actions_error
            warnings.append(f"rule {name!r} has invalid actions; alert recorded only ({reason})")
            return RuleMatch(compiled.rule, None, tuple(warnings))
        return RuleMatch(compiled.rule, compiled.actions, tuple(warnings))
    return RuleMatch(None, None, tuple(warnings))
