"""The compiled rules' bit-mask index picks exactly the rule a plain first-match walk over
every rule picks, with the same warnings, for any rules and any event (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from alertdesk.core.rules import (
    Rule,
    RuleActions,
    RuleMatch,
    _stored_conditions,
    conditions_match,
    match_rule,
)
from tests.core.test_rules import EVENT, rule

VALUES = ["a", "b", "c"]
values = st.lists(st.sampled_from(VALUES), min_size=1, max_size=2, unique=True)
conditions = st.fixed_dictionaries(
    {},
    optional={
        "severities": st.lists(st.sampled_from(["critical", "major", "minor"]), min_size=1,
                               max_size=2, unique=True),
        "activity_types": values, "alert_classes": values, "source_types": values,
        "organization_ids": values,
        "keywords": st.lists(st.sampled_from(["disk", "DISK", "cpu"]), min_size=1, max_size=2),
        "message_pattern": st.sampled_from(["^Disk", "[0-9]+%", "(", "nomatch"]),
    },
)  # fmt: skip
actions = st.sampled_from([{}, {"create_ticket": False}, {"create_ticket": "yes"}])
rules = st.lists(st.tuples(conditions, actions, st.booleans()), max_size=12)
events = st.builds(
    lambda sev, act, cls, src, org, msg: replace(
        EVENT, severity=sev, activity_type=act, alert_class=cls, source_type=src,
        external_org_id=org, message=msg,
    ),
    st.sampled_from(["critical", "major", "minor"]), st.sampled_from([*VALUES, None]),
    st.sampled_from([*VALUES, None]), st.sampled_from([*VALUES, None]),
    st.sampled_from([*VALUES, None]),
    st.sampled_from(["Disk C: is at 95%", "cpu load", "", None]),
)  # fmt: skip


def walk(all_rules: list[Rule], event: Any) -> RuleMatch:
    """The reference: every active rule in order, parsed and matched one by one."""
    warnings: list[str] = []
    for r in sorted((r for r in all_rules if r.is_active), key=lambda r: r.priority_order):
        try:
            matched = conditions_match(_stored_conditions(r.conditions), event)
        except ValueError as exc:
            warnings.append(f"rule {r.name!r} skipped: its conditions are invalid ({exc})")
            continue
        if matched:
            try:
                return RuleMatch(r, RuleActions.model_validate(r.actions), tuple(warnings))
            except ValueError as exc:
                note = f"rule {r.name!r} has invalid actions; alert recorded only ({exc})"
                return RuleMatch(r, None, (*warnings, note))
    return RuleMatch(None, None, tuple(warnings))


@settings(max_examples=300, deadline=None)
@given(rules, events)
def test_the_index_picks_what_a_walk_over_every_rule_picks(
    specs: list[tuple[dict[str, Any], dict[str, Any], bool]], event: Any
) -> None:
    all_rules = [
        rule(f"r{i}", i, conds, acts, active=active)
        for i, (conds, acts, active) in enumerate(specs)
    ]
    assert match_rule(all_rules, event) == walk(all_rules, event)
