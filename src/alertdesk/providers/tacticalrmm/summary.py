"""What is wrong, from Tactical RMM's own alert texts (its alerts/models.py): "<host> has a
<type> check: <desc> that failed.", "<host> has task: <name> that failed.", "<host> in
<client>, <site> is overdue." — read with plain string operations (linear in the length)."""

from __future__ import annotations

from alertdesk.core.alert_summary import first_line
from alertdesk.core.types import AlertEvent

KINDS = {
    "availability": "Agent is overdue (not checking in)",
    "check": "Check failed",
    "task": "Task failed",
}


def _reworded(message: str) -> str | None:
    text = message.removesuffix(".")
    if text.endswith(" is overdue"):
        return KINDS["availability"]
    if not text.endswith(" that failed"):
        return None
    text = text.removesuffix(" that failed")
    head, found, name = text.partition(" has task: ")
    if found and head and name:
        return f"Task failed: {name}"
    head, found, desc = text.partition(" check: ")
    if found and " has a" in head and desc:
        name, colon, detail = desc.partition(": ")
        return f"{name} failed: {detail}" if colon and detail else f"{desc} failed"
    return None


def summarize(event: AlertEvent) -> str | None:
    """The reworded message; without a usable message, the alert type in words."""
    line = first_line(event.message)
    if line:
        return _reworded(line)
    return KINDS.get((event.alert_class or "").lower())
