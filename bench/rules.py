"""Rule evaluation cost per event with 1,000 rules: JSON on stdout, a table on stderr.

    .venv/bin/python bench/rules.py [--rules 1000] [--seconds 0.3] [--rounds 5] [--seed 15]

Pure core, no database: `alertdesk.core.rules`. The event is the captured NinjaOne disk alert
(shared fixture `condition_triggered_disk.json`) normalized by the real webhook parser. Two
rule sets of N rules each:

- `realistic`: random mixes of severities, activity types, alert classes, source types,
  organization ids, keywords and RE2 message patterns (about a third of the rules), none of
  which matches the event, plus where they stop (`stops_at`);
- `worst`: every rule passes each equality condition (severity, activity type, class, source
  type, organization) and its keywords (only the last one is in the message) and fails only
  on its message pattern, so every condition of every rule is evaluated.

Each set is measured in two cases: `match_last` (the only matching rule is the last one, N-th)
and `no_match` (the last rule is replaced by one that fails at its pattern: every rule
evaluated, none matches) — and along two paths: `match_rule(rules, event)` (parses and
compiles the rules on every call) and, when core/rules.py has them, `compile_rules` once then
`match_compiled(compiled, event)` per event (what the pipeline does, with the compiled rules
cached per integration). The figure is the median of `--rounds` rounds of at least
`--seconds` each (the minimum is reported too); target: at most 200 µs per event.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from alertdesk.core import rules as core
from alertdesk.core.rules import Rule, RuleConditions, conditions_match, match_rule
from alertdesk.core.types import SEVERITIES, AlertEvent
from alertdesk.providers.base import WebhookContext
from alertdesk.providers.ninjaone.webhook import NinjaOneWebhook
from alertdesk.testing.fakes import fixture_bytes

TARGET_US = 200.0
ORDER = ("severities", "activity_types", "alert_classes", "source_types", "organization_ids",
         "keywords", "message_pattern")  # fmt: skip  # the order core/rules.py checks them in
ACTIVITY_TYPES = ["CONDITION", "agent", "check", "task"]
ALERT_CLASSES = ["agent_win_cond_disk_free_le", "agent_cond_cpu_usage_ge",
                 "vmm_cond_memory_usage_ge", "agent_offline", "check", "task", "availability",
                 "CONDITION_SCRIPT_RESULT", "CONDITION_AGENT_CVSS_SCORE"]  # fmt: skip
SOURCE_TYPES = ["condition", "tacticalrmm", "AGENT_OFFLINE", "CONDITION_AGENT_DISK_FREE_SPACE",
                "CONDITION_SCRIPT_RESULT"]  # fmt: skip
KEYWORDS = ["disk", "free space", "cpu", "memory", "offline", "overdue", "backup", "reboot",
            "antivirus", "defender", "service stopped", "sql", "exchange", "raid", "smart",
            "temperature", "ups", "certificate", "patch", "firewall"]  # fmt: skip
MISSING = ["raid degraded", "ups on battery", "certificate expires", "smart failure",
           "exchange queue", "sql agent"]  # fmt: skip  # words the event's message lacks
PATTERNS = [
    r"(?i)disk .* (full|below \d+%)",
    r"(?i)cpu (usage|utilization) .* \d+%",
    r"^Agent .* (overdue|offline)",
    r"(?i)backup (job )?(failed|error)",
    r"(?i)(service|svc) \w+ (stopped|not running)",
    r"\b(SQL|Exchange|IIS)\b.*(down|failed)",
    r"(?i)free space for '[D-Z]:' is less than or equal to \d+%",
    r"(?i)free space for 'C:' is less than or equal to (1|5)%",
    r"(?i)memory .* above (8|9)\d%",
    r"(?i)(raid|array) .* (degraded|rebuilding)",
    r"(?i)temperature .* \d{2,3} ?(c|f)\b",
    r"(?i)certificate .* expires in \d+ days",
]
MATCHING_RULE = {
    "severities": ["critical", "major"],
    "activity_types": ["CONDITION"],
    "organization_ids": ["3"],
    "keywords": ["free space"],
    "message_pattern": r"(?i)free space for '[A-Z]:' is less than or equal to \d+%",
}


def the_event() -> AlertEvent:
    ctx = WebhookContext(uuid.uuid4(), uuid.uuid4(), "none", datetime(2026, 6, 16, tzinfo=UTC))
    body = fixture_bytes("ninjaone", "condition_triggered_disk.json")
    parser = NinjaOneWebhook()
    event = parser.normalize(parser.parse(body), ctx)
    assert isinstance(event, AlertEvent)
    return event


def actions(rng: random.Random) -> dict[str, Any]:
    found: dict[str, Any] = {"create_ticket": rng.random() < 0.8}
    if rng.random() < 0.5:
        found["board_id"] = str(uuid.UUID(int=rng.getrandbits(128)))
    if rng.random() < 0.3:
        found["title_template"] = "{{severity}}: {{device}} — {{message}}"
    if rng.random() < 0.3:
        found["auto_resolve_ticket"] = True
    return found


def realistic_conditions(rng: random.Random) -> dict[str, Any]:
    c: dict[str, Any] = {}
    if rng.random() < 0.6:
        c["severities"] = rng.sample(SEVERITIES, rng.randint(1, 3))
    if rng.random() < 0.3:
        c["activity_types"] = rng.sample(ACTIVITY_TYPES, rng.randint(1, 2))
    if rng.random() < 0.3:
        c["alert_classes"] = rng.sample(ALERT_CLASSES, rng.randint(1, 3))
    if rng.random() < 0.15:
        c["source_types"] = rng.sample(SOURCE_TYPES, rng.randint(1, 2))
    if rng.random() < 0.5:
        c["organization_ids"] = [str(rng.randint(1, 300)) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.5:
        c["keywords"] = rng.sample(KEYWORDS, rng.randint(1, 3))
    if rng.random() < 0.33:
        c["message_pattern"] = rng.choice(PATTERNS)
    return c


def worst_conditions(rng: random.Random, event: AlertEvent) -> dict[str, Any]:
    """Passes every equality condition and its keywords (the last one is in the message, so
    each is tried); only its pattern misses, after searching the whole message."""
    return {
        "severities": [event.severity, "critical"],
        "activity_types": [event.activity_type, "agent"],
        "alert_classes": [rng.choice(ALERT_CLASSES[1:]), event.alert_class],
        "source_types": [event.source_type, "tacticalrmm"],
        "organization_ids": [str(rng.randint(100, 300)), event.external_org_id],
        "keywords": [*rng.sample(MISSING, 2), "free space"],
        "message_pattern": rng.choice(PATTERNS[6:8]),  # near misses of the disk message
    }


def rule(position: int, conditions: dict[str, Any], acts: dict[str, Any]) -> Rule:
    return Rule(uuid.uuid4(), f"rule {position}", position, conditions, acts)


def rule_sets(n: int, seed: int, event: AlertEvent) -> dict[str, list[Rule]]:
    """Per flavour, N - 1 rules that miss the event; the N-th is added per case."""
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    sets: dict[str, list[Rule]] = {"realistic": [], "worst": []}
    while len(sets["realistic"]) < n - 1:
        conditions = realistic_conditions(rng)
        if not conditions_match(RuleConditions.model_validate(conditions), event):
            sets["realistic"].append(rule(len(sets["realistic"]) + 1, conditions, actions(rng)))
    for position in range(1, n):
        sets["worst"].append(rule(position, worst_conditions(rng, event), actions(rng)))
    return sets


def stops_at(rules: list[Rule], event: AlertEvent) -> dict[str, int]:
    """For each non-matching rule, the first condition (in evaluation order) that fails."""
    counts = dict.fromkeys(ORDER, 0)
    for r in rules:
        for key in ORDER:
            if key in r.conditions:
                alone = RuleConditions.model_validate({key: r.conditions[key]})
                if not conditions_match(alone, event):
                    counts[key] += 1
                    break
    return {k: v for k, v in counts.items() if v}


def timed(call: Callable[[], object], seconds: float, rounds: int) -> tuple[float, float]:
    """Median and minimum µs per call over `rounds` rounds of at least `seconds` each."""
    call()  # warm up
    per_call = []
    for _ in range(rounds):
        calls, started = 0, time.perf_counter()
        while True:
            call()
            calls += 1
            elapsed = time.perf_counter() - started
            if elapsed >= seconds and calls >= 3:
                break
        per_call.append(elapsed / calls * 1e6)
    return statistics.median(per_call), min(per_call)


def measure(
    flavour: str, case: str, rules: list[Rule], event: AlertEvent, args: argparse.Namespace
) -> list[dict[str, Any]]:
    expected = rules[-1].id if case == "match_last" else None
    found = match_rule(rules, event)
    assert (found.rule.id if found.rule else None) == expected, (flavour, case, found)
    paths: list[tuple[str, Callable[[], object]]] = [
        ("match_rule", lambda: match_rule(rules, event))
    ]
    compile_rules = getattr(core, "compile_rules", None)
    match_compiled = getattr(core, "match_compiled", None)
    if compile_rules is not None and match_compiled is not None:
        compiled = compile_rules(rules)
        again = match_compiled(compiled, event)
        assert (again.rule.id if again.rule else None) == expected, (flavour, case, again)
        paths.append(("compiled", lambda: match_compiled(compiled, event)))
    results = []
    for path, call in paths:
        median, best = timed(call, args.seconds, args.rounds)
        row = {"rule_set": flavour, "case": case, "path": path, "rules": len(rules),
               "us_per_event": round(median, 1), "us_per_event_min": round(best, 1),
               "within_target": median <= TARGET_US}  # fmt: skip
        print(f"{flavour}/{case}/{path}: {row['us_per_event']} µs", file=sys.stderr, flush=True)
        results.append(row)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=0.3, help="minimum length of a round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    event = the_event()
    sets = rule_sets(args.rules, args.seed, event)
    rng = random.Random(args.seed + 1)  # noqa: S311
    matching = rule(args.rules, MATCHING_RULE, actions(rng))
    missing = rule(args.rules, {**MATCHING_RULE, "message_pattern": PATTERNS[7]}, actions(rng))
    results: dict[str, Any] = {
        "rules": args.rules,
        "target_us_per_event": TARGET_US,
        "event": {
            "fixture": "ninjaone/condition_triggered_disk.json",
            "severity": event.severity,
            "organization": event.external_org_id,
            "message": event.message,
        },
        "rule_sets": {
            name: {
                "stops_at": stops_at(rules, event),
                "with_pattern": sum("message_pattern" in r.conditions for r in rules),
                "with_keywords": sum("keywords" in r.conditions for r in rules),
            }
            for name, rules in sets.items()
        },
        "compiled_path": hasattr(core, "compile_rules") and hasattr(core, "match_compiled"),
        "method": f"median of {args.rounds} rounds of at least {args.seconds} s, after a warm-up"
        " call; match_rule parses and compiles every rule on each call, the compiled path"
        " compiles once (as the pipeline does, cached per integration) and only matches",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "measurements": [],
    }
    for flavour, rules in sets.items():
        for case, last in (("match_last", matching), ("no_match", missing)):
            results["measurements"] += measure(flavour, case, [*rules, last], event, args)
    print(json.dumps(results, indent=2))
    table(results)
    return 0


def table(results: dict[str, Any]) -> None:
    print(f"{'rule set':<11}{'case':<12}{'path':<12}{'µs/event':>10}{'min':>10}  target ≤ "
          f"{results['target_us_per_event']:.0f}", file=sys.stderr)  # fmt: skip
    for m in results["measurements"]:
        mark = "ok" if m["within_target"] else "over"
        print(f"{m['rule_set']:<11}{m['case']:<12}{m['path']:<12}{m['us_per_event']:>10}"
              f"{m['us_per_event_min']:>10}  {mark}", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
