"""Severity → priority by name: exact match, then substring; ties go to the lowest position."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from alertdesk.core.types import Severity

CANDIDATES: dict[Severity, tuple[str, ...]] = {
    "critical": ("urgent", "critical"),
    "major": ("high",),
    "moderate": ("medium", "normal"),
    "minor": ("low",),
    "none": ("low",),
}


@dataclass(frozen=True)
class PriorityOption:
    id: uuid.UUID
    name: str
    position: int


def priority_for_severity(
    severity: Severity, priorities: Sequence[PriorityOption]
) -> uuid.UUID | None:
    """The most urgent priority named like the severity (exact pass, then substring pass)."""
    ordered = sorted(priorities, key=lambda p: p.position)
    wanted = CANDIDATES[severity]
    for exact in (True, False):
        for option in ordered:
            name = option.name.strip().lower()
            if any(name == w if exact else w in name for w in wanted):
                return option.id
    return None
