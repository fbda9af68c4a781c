"""Human-facing ticket numbers: TKT-000042."""

from __future__ import annotations

PREFIX = "TKT-"
WIDTH = 6


def format_ticket_number(sequence: int) -> str:
    """Zero-padded to six digits; longer sequences simply grow (TKT-1234567)."""
    if sequence < 1:
        raise ValueError("ticket sequence starts at 1")
    return f"{PREFIX}{sequence:0{WIDTH}d}"
