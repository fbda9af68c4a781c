"""Alert rules: strict condition/action shapes and first-match evaluation (regexes run on RE2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
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
    """Whether one rule's conditions hold for an event (the compiled rules below do the same
    for many rules at once)."""
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
        and (
            not conditions.message_pattern
            or compile_pattern(conditions.message_pattern).search(message) is not None
        )
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
    keywords: tuple[str, ...] = ()  # lower-cased


# the conditions on one event field each: indexed, so an event looks at its candidates only
_INDEXED = (
    ("severities", "severity"),
    ("activity_types", "activity_type"),
    ("alert_classes", "alert_class"),
    ("source_types", "source_type"),
    ("organization_ids", "external_org_id"),
)


@dataclass(frozen=True)
class _FieldIndex:
    """For one event field: a bit per rule (bit i = the i-th rule in order) that accepts any
    value, and per value the rules that ask for it."""

    attribute: str
    any_value: int
    by_value: dict[str, int]

    def accepting(self, event: AlertEvent) -> int:
        value = getattr(event, self.attribute)
        return self.any_value | (self.by_value.get(value, 0) if value is not None else 0)


@dataclass(frozen=True)
class CompiledRules:
    """Active rules in evaluation order, with their exact-value conditions indexed as bit
    masks: matching costs a few big-integer operations plus the keyword and pattern checks of
    the rules that pass them, not a walk over every rule."""

    rules: tuple[CompiledRule, ...]
    indexes: tuple[_FieldIndex, ...]
    broken: int  # rules whose conditions are invalid (skipped, with a warning)

    def __iter__(self) -> Iterator[CompiledRule]:
        return iter(self.rules)

    def candidates(self, event: AlertEvent) -> int:
        mask = (1 << len(self.rules)) - 1 & ~self.broken
        for index in self.indexes:
            mask &= index.accepting(event)
            if not mask:
                break
        return mask


def compile_rules(rules: Sequence[Rule]) -> CompiledRules:
    """The active rules in evaluation order (lowest priority_order first), ready to match."""
    ordered = sorted((r for r in rules if r.is_active), key=lambda r: r.priority_order)
    compiled = tuple(_compiled(r) for r in ordered)
    indexes = []
    for condition, attribute in _INDEXED:
        any_value, by_value = 0, dict[str, int]()
        for i, rule in enumerate(compiled):
            wanted = getattr(rule.conditions, condition) if rule.conditions else None
            if not wanted:
                any_value |= 1 << i
            for value in wanted or ():
                by_value[value] = by_value.get(value, 0) | 1 << i
        indexes.append(_FieldIndex(attribute, any_value, by_value))
    broken = sum(1 << i for i, rule in enumerate(compiled) if rule.conditions is None)
    return CompiledRules(compiled, tuple(indexes), broken)


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
    keywords = tuple(k.lower() for k in (conditions.keywords or ())) if conditions else ()
    return CompiledRule(
        rule, conditions, pattern, actions, conditions_error, actions_error, keywords
    )


def match_rule(rules: Sequence[Rule], event: AlertEvent) -> RuleMatch:
    """The first active rule (lowest priority_order) whose conditions match; broken ones skip."""
    return match_compiled(compile_rules(rules), event)


def match_compiled(rules: CompiledRules, event: AlertEvent) -> RuleMatch:
    """`match_rule` over rules compiled beforehand (the pipeline caches them)."""
    message = event.message or ""
    lowered: str | None = None
    mask = rules.candidates(event)
    while mask:
        low = mask & -mask
        mask ^= low
        position = low.bit_length() - 1
        compiled = rules.rules[position]
        if compiled.keywords:
            lowered = message.lower() if lowered is None else lowered
            if not any(k in lowered for k in compiled.keywords):
                continue
        if compiled.pattern is not None and compiled.pattern.search(message) is None:
            continue
        return _matched(rules, position)
    return RuleMatch(None, None, _skipped(rules, len(rules.rules)))


def _matched(rules: CompiledRules, position: int) -> RuleMatch:
    compiled, warnings = rules.rules[position], _skipped(rules, position)
    if compiled.actions is None:
        reason = compiled.actions_error
        name = compiled.rule.name
        warning = f"rule {name!r} has invalid actions; alert recorded only ({reason})"
        return RuleMatch(compiled.rule, None, (*warnings, warning))
    return RuleMatch(compiled.rule, compiled.actions, warnings)


def _skipped(rules: CompiledRules, before: int) -> tuple[str, ...]:
    """The warnings of the broken rules evaluated before `before` (in order)."""
    return tuple(
        f"rule {r.rule.name!r} skipped: its conditions are invalid ({r.conditions_error})"
        for i, r in enumerate(rules.rules[:before])
        if rules.broken >> i & 1
    )
