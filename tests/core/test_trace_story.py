"""The decision trace told as sentences: one row per kind of trace the pipeline, the lifecycle,
the manual "create ticket" action and the Huntress processor write (see pipeline.py)."""

from __future__ import annotations

from typing import Any

import pytest

from alertdesk.core import trace_story
from alertdesk.core.trace_story import Names, Sentence
from alertdesk.services.alerts import pipeline

P = pytest.param
T, U = "6f1c2d3e-0000-4000-8000-000000000042", "6f1c2d3e-0000-4000-8000-0000000000aa"
RULE = {"id": "r-1", "name": "Disk alerts"}
WINDOW = {"id": "w-1", "name": "Patch night"}
NAMES = Names(tickets={T: "TKT-000042"}, users={U: "Ann Admin"})
TICKET = {"id": T, "number": "TKT-000042", "created": True}

NO_WINDOW = "No maintenance window covered it."
MATCHED = "Rule “Disk alerts” matched."
CREATED = "Created ticket TKT-000042."

CREATED_TRACE: dict[str, Any] = {
    "outcome": "ticket_created", "window": None, "rule": RULE, "warnings": [], "ticket": TICKET,
}  # fmt: skip
RECORDED_TRACE: dict[str, Any] = {
    "outcome": "recorded_only", "window": None, "rule": None, "warnings": [],
    "reason": "no active rule matched",
}  # fmt: skip


def recorded(reason: str, rule: Any = RULE, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    return RECORDED_TRACE | {"rule": rule, "reason": reason, "warnings": list(warnings)}


CASES = [
    # --- pipeline: _decide ---------------------------------------------------------------------
    P(CREATED_TRACE, NAMES, [NO_WINDOW, MATCHED, CREATED], id="ticket-created"),
    P(
        CREATED_TRACE | {"ticket": TICKET | {"id": "t-unknown"}},
        Names(),
        [NO_WINDOW, MATCHED, "Created ticket TKT-000042."],
        id="ticket-created-number-from-the-trace",
    ),
    P(
        CREATED_TRACE
        | {
            "outcome": "occurrence_appended",
            "ticket": None,
            "dedup": {"ticket_id": T, "first_alert_id": "a-1", "occurrence": 3},
        },
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            "Joined TKT-000042 as the 3rd occurrence: the same condition on "
            "this device already had it open.",
        ],
        id="occurrence-appended",
    ),
    P(
        CREATED_TRACE
        | {
            "outcome": "occurrence_appended",
            "ticket": None,
            "dedup": {"ticket_id": "t-x", "first_alert_id": "a-1", "occurrence": 2},
        },
        Names(),
        [
            NO_WINDOW,
            MATCHED,
            "Joined an open ticket as the 2nd occurrence: the same condition "
            "on this device already had it open.",
        ],
        id="occurrence-appended-ticket-unknown",
    ),
    P(
        RECORDED_TRACE,
        NAMES,
        [NO_WINDOW, "No rule matched: recorded without a ticket."],
        id="no-rule-matched",
    ),
    P(
        recorded("rule 'Disk alerts' records alerts without creating tickets"),
        NAMES,
        [NO_WINDOW, MATCHED, "That rule records alerts without creating tickets."],
        id="rule-records-only",
    ),
    P(
        recorded(
            "rule 'Disk alerts' has invalid actions",
            warnings=("rule 'Disk alerts' has invalid actions; alert recorded only (…)",),
        ),
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            "That rule's actions are invalid: recorded without a ticket.",
            "Note: rule 'Disk alerts' has invalid actions; alert recorded only (…).",
        ],
        id="rule-invalid-actions",
    ),
    P(
        recorded(
            "no client could be resolved for this alert",
            warnings=("no client: map the organization or link the device to an asset",),
        ),
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            "No client is known for it (its organization is not mapped to a client and its device "
            "is not an asset): recorded without a ticket.",
            "Note: no client: map the organization or link the device to an asset.",
        ],
        id="no-client",
    ),
    P(
        recorded(
            "No board with a default status is available.",
            warnings=("ticket not created: No board with a default status is available.",),
        ),
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            "Recorded without a ticket: No board with a default status is available.",
            "Note: ticket not created: No board with a default status is available.",
        ],
        id="ticket-could-not-be-opened",
    ),
    P(
        RECORDED_TRACE | {"warnings": ["rule 'Old' skipped: its conditions are invalid (…)"]},
        NAMES,
        [
            NO_WINDOW,
            "No rule matched: recorded without a ticket.",
            "Note: rule 'Old' skipped: its conditions are invalid (…).",
        ],
        id="rule-skipped-warning",
    ),
    # --- pipeline: _suppress, _out_of_order ------------------------------------------------------
    P(
        {
            "outcome": "suppressed",
            "window": WINDOW,
            "rule": None,
            "reason": "inside maintenance window 'Patch night'",
            "warnings": [],
        },
        NAMES,
        ["Maintenance window “Patch night” covered it: suppressed, without a ticket."],
        id="suppressed",
    ),
    P(
        {
            "outcome": "resolved",
            "window": None,
            "rule": None,
            "warnings": [],
            "reason": "the reset arrived before its trigger",
            pipeline.EARLY_RESET: True,
        },
        NAMES,
        ["The reset arrived before its trigger: kept as a resolved alert."],
        id="reset-before-trigger",
    ),
    P(
        {
            "outcome": "recorded_only",
            "window": None,
            "rule": None,
            "warnings": [],
            "reason": "already resolved: its reset arrived before this trigger",
            pipeline.EARLY_RESET: False,
        },
        NAMES,
        ["Its reset had arrived before this trigger: recorded as resolved, without a ticket."],
        id="trigger-after-its-reset",
    ),
    # --- pipeline: re-fires of a resolved alert whose ticket is still open ----------------------
    P(
        CREATED_TRACE
        | {"outcome": "occurrence_appended", "dedup": {"ticket_id": T, "occurrence": 2}},
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            CREATED,
            "Fired again while TKT-000042 was still open: counted as the 2nd occurrence.",
        ],
        id="refire-on-its-own-ticket",
    ),
    P(
        CREATED_TRACE | {"refire": {"window": WINDOW, "reason": "…"}},
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            CREATED,
            "Fired again inside maintenance window “Patch night” while its ticket was still open: "
            "suppressed, still linked to that ticket.",
        ],
        id="refire-in-a-window",
    ),
    # --- lifecycle: resets and acknowledgements -------------------------------------------------
    P(
        CREATED_TRACE | {"resolution": "ticket closed automatically"},
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            CREATED,
            "Resolved at the vendor: the ticket was closed automatically, nobody had worked on it.",
        ],
        id="auto-resolved",
    ),
    P(
        CREATED_TRACE | {"resolution": "ticket left open: a person has worked on it"},
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            CREATED,
            "Resolved at the vendor: the ticket was left open because a person has worked on it.",
        ],
        id="resolved-ticket-left-open",
    ),
    P(
        {
            "outcome": "suppressed",
            "window": WINDOW,
            "rule": None,
            "warnings": [],
            "resolution": "resolved while suppressed",
        },
        NAMES,
        [
            "Maintenance window “Patch night” covered it: suppressed, without a ticket.",
            "Resolved at the vendor while suppressed: nothing else was done.",
        ],
        id="resolved-while-suppressed",
    ),
    P(
        CREATED_TRACE
        | {
            "warnings": [
                "the vendor's time 0001-01-01T00:00:00+00:00 is before "
                "2000; the time it was received is used instead"
            ]
        },
        NAMES,
        [
            NO_WINDOW,
            MATCHED,
            CREATED,
            "Note: the vendor's time 0001-01-01T00:00:00+00:00 is before 2000; the time it was "
            "received is used instead.",
        ],
        id="corrected-vendor-time",
    ),
    # --- the manual "create ticket" action ------------------------------------------------------
    P(
        RECORDED_TRACE
        | {
            "ticket": {"id": T, "number": "TKT-000042", "created": True},
            "manual_ticket": {"actor_kind": "user", "user_id": U},
        },
        NAMES,
        [
            NO_WINDOW,
            "No rule matched: recorded without a ticket.",
            "Ann Admin created ticket TKT-000042 by hand.",
        ],
        id="created-by-hand",
    ),
    P(
        RECORDED_TRACE
        | {
            "ticket": {"id": T, "number": "TKT-000042", "created": False},
            "dedup": {"ticket_id": T, "first_alert_id": "a-1", "occurrence": 3},
            "manual_ticket": {"actor_kind": "user", "user_id": U},
        },
        NAMES,
        [
            NO_WINDOW,
            "No rule matched: recorded without a ticket.",
            "Ann Admin pressed Create ticket: it joined TKT-000042 as the 3rd occurrence, the "
            "ticket already open for the same condition on this device.",
        ],
        id="joined-by-hand",
    ),
    P(
        RECORDED_TRACE
        | {"ticket": TICKET, "manual_ticket": {"actor_kind": "system", "user_id": "None"}},
        Names(),
        [
            NO_WINDOW,
            "No rule matched: recorded without a ticket.",
            "An automation created ticket TKT-000042 by hand.",
        ],
        id="created-by-an-automation",
    ),
    P(
        RECORDED_TRACE
        | {"ticket": TICKET, "manual_ticket": {"actor_kind": "user", "user_id": "gone"}},
        NAMES,
        [
            NO_WINDOW,
            "No rule matched: recorded without a ticket.",
            "A person created ticket TKT-000042 by hand.",
        ],
        id="created-by-a-former-user",
    ),
    # --- Huntress --------------------------------------------------------------------------------
    P(
        {"outcome": "huntress", "ticket_id": T},
        NAMES,
        ["Huntress incident: tracked on TKT-000042."],
        id="huntress-ticket",
    ),
    P(
        {"outcome": "huntress", "ticket_id": None},
        NAMES,
        ["Huntress incident: recorded without a ticket."],
        id="huntress-no-ticket",
    ),
    # --- nothing, or not what we wrote -----------------------------------------------------------
    P({}, NAMES, ["No decision was recorded for this alert."], id="empty"),
    P(None, NAMES, ["No decision was recorded for this alert."], id="not-an-object"),
    P(
        {
            "outcome": "ticket_created",
            "rule": "Disk",
            "window": [1],
            "warnings": "x",
            "dedup": [1],
            "ticket": "TKT",
            "reason": 5,
            "resolution": {"a": 1},
        },
        NAMES,
        [],
        id="wrong-types-are-skipped",
    ),
    P(
        {
            "outcome": "recorded_only",
            "rule": {"name": ""},
            "reason": "mystery",
            "resolution": "done by hand",
            "warnings": [None, "  ", "odd"],
        },
        NAMES,
        [
            "Rule (unnamed) matched.",
            "Recorded without a ticket: mystery.",
            "Resolved: done by hand.",
            "Note: odd.",
        ],
        id="unknown-texts-told-as-they-are",
    ),
    P(
        {**CREATED_TRACE, "windows_passed": [WINDOW, {"id": "w-2"}, "x"]},
        NAMES,
        [
            "Maintenance window “Patch night” did not apply at that time.",
            NO_WINDOW,
            MATCHED,
            CREATED,
        ],
        id="windows-that-did-not-apply",
    ),
    P(
        {**CREATED_TRACE, "windows_passed": "Patch night"},
        NAMES,
        [NO_WINDOW, MATCHED, CREATED],
        id="windows-passed-of-a-wrong-type",
    ),
    P(
        {**CREATED_TRACE, "rule": {**RULE, "position": 2}},
        NAMES,
        [NO_WINDOW, "Rule “Disk alerts” (active rule 2) matched.", CREATED],
        id="rule-with-its-place",
    ),
    P(
        {**CREATED_TRACE, "rule": {**RULE, "position": "2"}},
        NAMES,
        [NO_WINDOW, MATCHED, CREATED],
        id="rule-place-of-a-wrong-type-is-left-out",
    ),
]


@pytest.mark.parametrize(("decision", "names", "expected"), CASES)
def test_trace_story(decision: Any, names: Names, expected: list[str]) -> None:
    assert [s.text for s in trace_story.trace_story(decision, names)] == expected


def test_tones_say_what_needs_a_look() -> None:
    def tones(decision: dict[str, Any]) -> list[str]:
        return [s.tone for s in trace_story.trace_story(decision, NAMES)]

    assert tones(CREATED_TRACE) == ["muted", "info", "ok"]
    assert tones(RECORDED_TRACE | {"warnings": ["w"]}) == ["muted", "warn", "warn"]


def test_the_early_reset_flag_is_the_pipelines() -> None:
    assert trace_story.EARLY_RESET == pipeline.EARLY_RESET


def test_sentences_are_values() -> None:
    assert trace_story.trace_story({"outcome": "huntress"})[0] == Sentence(
        "Huntress incident: recorded without a ticket.", "muted"
    )
