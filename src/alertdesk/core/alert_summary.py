"""What is wrong, in a few words a technician reads at a glance: the start of a default ticket
title ("Disk C: free space at or below 15% — FRONTDESK-01").

Built from the summary the provider read from its own payload (`AlertEvent.summary`), else
from the vendor's message, never a bare condition code such as `vmm_cond_memory_usage_ge`.
"""

from __future__ import annotations

import re

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


def first_line(message: str | None) -> str:
    """The message's first non-empty line, cleaned; "" when it is empty or a bare code."""
    lines = (clean(line[:READ_LIMIT]) for line in (message or "").splitlines())
    text = next((line for line in lines if line), "")
    return "" if is_code(text) else text


def _polished(text: str) -> str:
    text = PERIOD.sub("", text)
    for pattern, words in COMPARISONS:
        text = pattern.sub(words, text)
    text = text.rstrip(". ")
    return "" if is_code(text) else text


def _from_kind(event: AlertEvent) -> str:
    """Without a usable message: the alert's kind when it reads as words, else the vendor."""
    for value in (event.alert_class, event.activity_type):
        text = clean(value)
        if text and not is_code(text):
            return text
    return f"{provider_label(event.provider)} alert"


def alert_summary(event: AlertEvent) -> str:
    """What is wrong, without the device: at most SUMMARY_LIMIT characters, one line."""
    text = (
        _polished(clean(event.summary)) or _polished(first_line(event.message)) or _from_kind(event)
    )
    return shorten(text[:1].upper() + text[1:], SUMMARY_LIMIT)
