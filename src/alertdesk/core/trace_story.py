"""The decision trace stored on an alert (`alert.decision`), told as sentences a technician
understands: "Rule “Disk alerts” matched.", "Joined TKT-000042 as the 3rd occurrence …".

The trace is JSON written by the alert pipeline, the reset/acknowledge lifecycle, the manual
"create ticket" action and the Huntress processor, by this and older versions: every value is
read defensively, and anything unknown is told as it is rather than dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from alertdesk.core.huntress.plan import DECISION_OUTCOME as INCIDENT
from alertdesk.core.types import ordinal

Tone = Literal["ok", "warn", "muted", "info"]
EARLY_RESET = "reset_before_trigger"  # written by the pipeline (pipeline.EARLY_RESET)
NO_RULE = "no active rule matched"
NO_CLIENT = "no client could be resolved for this alert"


@dataclass(frozen=True)
class Sentence:
    text: str
    tone: Tone = "info"  # ok: a ticket; warn: needs a look; muted: nothing happened


@dataclass(frozen=True)
class Names:
    """Display names the trace only holds ids of: ticket numbers and people."""

    tickets: Mapping[str, str] = field(default_factory=dict)  # ticket id → number
    users: Mapping[str, str] = field(default_factory=dict)  # user id → name


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _name(item: Any) -> str:
    return _text(_object(item).get("name"))


def _quoted(name: str) -> str:
    return f"“{name}”" if name else "(unnamed)"


def _sentence(text: str) -> str:
    """Capitalized, ending with a full stop."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class _Story:
    def __init__(self, decision: Mapping[str, Any], names: Names) -> None:
        self.d, self.names = decision, names
        self.lines: list[Sentence] = []

    def say(self, text: str, tone: Tone = "info") -> None:
        self.lines.append(Sentence(_sentence(text), tone))

    def ticket(self, ticket_id: Any, unknown: str = "its ticket") -> str:
        """The ticket's number when known, else `unknown`."""
        key = _text(ticket_id)
        if key in self.names.tickets:
            return self.names.tickets[key]
        own = _object(self.d.get("ticket"))
        if key and _text(own.get("id")) == key and _text(own.get("number")):
            return _text(own.get("number"))
        return unknown

    def who(self, actor: Mapping[str, Any]) -> str:
        if actor.get("actor_kind") == "user":
            return self.names.users.get(_text(actor.get("user_id")), "A person")
        return "An automation"

    # --- the steps, in the order the pipeline takes them -----------------------------------

    def window_and_rule(self) -> None:
        window = self.d.get("window")
        if isinstance(window, Mapping) and window:
            name = _quoted(_name(window))
            self.say(f"Maintenance window {name} covered it: suppressed, without a ticket", "muted")
            return
        passed = self.d.get("windows_passed")
        for item in passed if isinstance(passed, list) else []:
            if _name(item):
                self.say(
                    f"Maintenance window {_quoted(_name(item))} did not apply at that time", "muted"
                )
        if "window" in self.d and window is None:
            self.say("No maintenance window covered it", "muted")
        rule = self.d.get("rule")
        if isinstance(rule, Mapping):
            position = _count(rule.get("position"))
            place = f" (active rule {position})" if position else ""
            self.say(f"Rule {_quoted(_name(rule))}{place} matched")

    def reason(self) -> None:
        reason = _text(self.d.get("reason"))
        window = self.d.get("window")
        if not reason or (isinstance(window, Mapping) and window):
            return
        rule = _name(self.d.get("rule"))
        if reason == NO_RULE:
            self.say("No rule matched: recorded without a ticket", "warn")
        elif reason == f"rule {rule!r} has invalid actions":
            self.say("That rule's actions are invalid: recorded without a ticket", "warn")
        elif reason == f"rule {rule!r} records alerts without creating tickets":
            self.say("That rule records alerts without creating tickets", "muted")
        elif reason == NO_CLIENT:
            self.say(
                "No client is known for it (its organization is not mapped to a client and its "
                "device is not an asset): recorded without a ticket",
                "warn",
            )
        else:
            self.say(f"Recorded without a ticket: {reason}", "warn")

    def tickets(self) -> None:
        ticket = _object(self.d.get("ticket"))
        manual = _object(self.d.get("manual_ticket"))
        dedup = _object(self.d.get("dedup"))
        occurrence = _count(dedup.get("occurrence"))
        nth = f" as the {ordinal(occurrence)} occurrence" if occurrence else ""
        if ticket.get("created") is True and not manual:
            self.say(f"Created ticket {self.ticket(ticket.get('id'), 'a ticket')}", "ok")
        if dedup.get("first_alert_id") and not manual:
            number = self.ticket(dedup.get("ticket_id"), "an open ticket")
            self.say(
                f"Joined {number}{nth}: the same condition on this device already had it open",
                "ok",
            )
        if manual:
            who = self.who(manual)
            if ticket.get("created") is False:
                number = self.ticket(ticket.get("id") or dedup.get("ticket_id"), "a ticket")
                as_nth = nth if dedup.get("first_alert_id") else ""  # not a later re-fire's
                self.say(
                    f"{who} pressed Create ticket: it joined {number}{as_nth}, the ticket already "
                    "open for the same condition on this device",
                    "ok",
                )
            else:
                number = self.ticket(ticket.get("id"), "a ticket")
                self.say(f"{who} created ticket {number} by hand", "ok")
        if dedup and not dedup.get("first_alert_id"):
            number = self.ticket(dedup.get("ticket_id"))
            counted = f": counted{nth}" if nth else ""
            self.say(f"Fired again while {number} was still open{counted}", "ok")

    def refire(self) -> None:
        refire = _object(self.d.get("refire"))
        if refire:
            name = _quoted(_name(refire.get("window")))
            self.say(
                f"Fired again inside maintenance window {name} while its ticket was still open: "
                "suppressed, still linked to that ticket",
                "muted",
            )

    def resolution(self) -> None:
        resolution = _text(self.d.get("resolution"))
        if resolution == "resolved while suppressed":
            self.say("Resolved at the vendor while suppressed: nothing else was done", "muted")
        elif resolution == "ticket closed automatically":
            self.say(
                "Resolved at the vendor: the ticket was closed automatically, nobody had worked "
                "on it",
                "ok",
            )
        elif resolution.startswith("ticket left open: "):
            why = resolution.removeprefix("ticket left open: ")
            self.say(f"Resolved at the vendor: the ticket was left open because {why}")
        elif resolution:
            self.say(f"Resolved: {resolution}")

    def early_reset(self) -> None:
        if self.d.get("outcome") == "recorded_only":
            self.say(
                "Its reset had arrived before this trigger: recorded as resolved, without a ticket",
                "muted",
            )
        else:
            self.say("The reset arrived before its trigger: kept as a resolved alert", "muted")

    def incident(self) -> None:
        ticket_id = self.d.get("ticket_id")
        if ticket_id:
            self.say(f"Huntress incident: tracked on {self.ticket(ticket_id)}", "ok")
        else:
            self.say("Huntress incident: recorded without a ticket", "muted")

    def warnings(self) -> None:
        warnings = self.d.get("warnings")
        for warning in warnings if isinstance(warnings, list) else []:
            if _text(warning):
                self.say(f"Note: {_text(warning)}", "warn")

    def tell(self) -> list[Sentence]:
        if not self.d:
            self.say("No decision was recorded for this alert", "muted")
            return self.lines
        if self.d.get("outcome") == INCIDENT:
            self.incident()
            return self.lines
        if EARLY_RESET in self.d:
            self.early_reset()
        else:
            self.window_and_rule()
            self.reason()
        self.tickets()
        self.refire()
        self.resolution()
        self.warnings()
        return self.lines


def trace_story(decision: Any, names: Names | None = None) -> list[Sentence]:
    """The trace as sentences, in the order things happened."""
    return _Story(_object(decision), names or Names()).tell()
