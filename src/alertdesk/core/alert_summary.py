"""What is wrong, in a few words a technician reads at a glance: the start of a default ticket
title ("Disk C: free space at or below 15% — FRONTDESK-01").

Built from the vendor's message (or, for NinjaOne, its message code and parameters), never a
bare condition code such as `check` or `vmm_cond_memory_usage_ge`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from alertdesk.core.types import AlertEvent, provider_label

SUMMARY_LIMIT = 160
READ_LIMIT = 2000  # of the message's first line: plenty for a title, bounded work
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# one token of letters, digits and _ . : - (no spaces): a code, not a sentence
CODE = re.compile(r"[A-Za-z0-9]+(?:[_.:/-]+[A-Za-z0-9]+)*")
# NinjaOne appends the evaluation period: "… from 2026-06-09T16:54:27Z to 2026-06-09T16:54:27Z"
PERIOD = re.compile(r"\s+from \d{4}-\d\d-\d\d[T ]\S+ to \d{4}-\d\d-\d\d[T ]\S+", re.IGNORECASE)
COMPARISONS = (
    (re.compile(r"\bis greater than or equal to\b", re.IGNORECASE), "at or above"),
    (re.compile(r"\bis less than or equal to\b", re.IGNORECASE), "at or below"),
    (re.compile(r"\bgreater than or equal to\b", re.IGNORECASE), "of at least"),
    (re.compile(r"\bless than or equal to\b", re.IGNORECASE), "of at most"),
    (re.compile(r"\bis greater than\b", re.IGNORECASE), "above"),
    (re.compile(r"\bis less than\b", re.IGNORECASE), "below"),
)
# Tactical RMM's own alert texts (alerts/models.py): "<host> has a <type> check: <desc> that
# failed.", "<host> has task: <name> that failed.", "<host> in <client>, <site> is overdue."
TACTICAL_KINDS = {
    "availability": "Agent is overdue (not checking in)",
    "check": "Check failed",
    "task": "Task failed",
}


def clean(text: str | None) -> str:
    """One line of text: control characters (newlines, NUL, tabs) become spaces, runs of
    spaces one."""
    return " ".join(CONTROL.sub(" ", text or "").split())


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word when one ends late enough, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-—") + "…"


def is_code(text: str) -> bool:
    """A bare identifier (`check`, `vmm_cond_memory_usage_ge`, `DISK_SPACE`), not prose."""
    return CODE.fullmatch(text) is not None


def _ninja_message(raw: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    data = raw.get("data")
    message = data.get("message") if isinstance(data, Mapping) else None
    if not isinstance(message, Mapping):
        return "", {}
    params = message.get("params")
    return str(message.get("code") or ""), params if isinstance(params, Mapping) else {}


def _param(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    return clean(str(value)) if isinstance(value, str | int | float) else ""


def _ninja_known(raw: Mapping[str, Any]) -> str:
    """NinjaOne conditions whose message code says more, and more briefly, than the text."""
    code, params = _ninja_message(raw)
    if "disk_free" in code and _param(params, "threshold"):
        volume = _param(params, "volume")
        unit = _param(params, "unit")
        amount = _param(params, "threshold") + (unit if unit == "%" else f" {unit}".rstrip())
        where = f"Disk {volume}" if volume else "Disk"
        relation = "at or above" if code.endswith(("_ge", "_gt")) else "at or below"
        return f"{where} free space {relation} {amount}"
    if code.startswith("conditions_device_offline"):
        minutes = _param(params, "durationOffline")
        return f"Device offline for {minutes} minutes" if minutes.isdigit() else "Device offline"
    if code == "agent_cond_script_result":
        name = _param(params, "condition_name")
        return f"Script condition triggered: {name}" if name else ""
    return ""


def _tactical(message: str) -> str:
    """Tactical's texts read with plain string operations (linear in the text's length)."""
    text = message.removesuffix(".")
    if text.endswith(" is overdue"):
        return TACTICAL_KINDS["availability"]
    if not text.endswith(" that failed"):
        return message
    text = text.removesuffix(" that failed")
    head, found, name = text.partition(" has task: ")
    if found and head and name:
        return f"Task failed: {name}"
    head, found, desc = text.partition(" check: ")
    if found and " has a" in head and desc:
        name, colon, detail = desc.partition(": ")
        return f"{name} failed: {detail}" if colon and detail else f"{desc} failed"
    return message


def _from_message(event: AlertEvent) -> str:
    lines = (clean(line[:READ_LIMIT]) for line in (event.message or "").splitlines())
    text = next((line for line in lines if line), "")
    if not text or is_code(text):
        return ""
    if event.provider == "tacticalrmm":
        text = _tactical(text)
    text = PERIOD.sub("", text)
    for pattern, words in COMPARISONS:
        text = pattern.sub(words, text)
    text = text.rstrip(". ")
    return "" if is_code(text) else text


def _from_kind(event: AlertEvent) -> str:
    """Without a usable message: the alert's kind when it reads as words, else the vendor."""
    if event.provider == "tacticalrmm":
        known = TACTICAL_KINDS.get((event.alert_class or "").lower())
        if known:
            return known
    for value in (event.alert_class, event.activity_type):
        text = clean(value)
        if text and not is_code(text):
            return text
    return f"{provider_label(event.provider)} alert"


def alert_summary(event: AlertEvent) -> str:
    """What is wrong, without the device: at most SUMMARY_LIMIT characters, one line."""
    known = _ninja_known(event.raw) if event.provider == "ninjaone" else ""
    text = clean(known) or _from_message(event) or _from_kind(event)
    return shorten(text[:1].upper() + text[1:], SUMMARY_LIMIT)
