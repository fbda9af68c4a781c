"""Tolerant decoding shared by the vendor normalizers: JSON bodies, times, severities."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from alertdesk.core.types import SEVERITIES, Severity
from alertdesk.providers.base import BadPayload


def parse_json(body: bytes) -> Any:
    """Decode JSON; NUL characters are dropped (PostgreSQL text cannot hold them)."""
    if not body.strip():
        raise BadPayload("empty body")
    return loads(body.decode("utf-8-sig", errors="replace"))


def loads(text: str) -> Any:
    """json.loads that only ever fails with BadPayload (deep nesting, huge numbers included).

    NaN, Infinity and numbers beyond a double (1e400) are kept as their text: PostgreSQL's
    JSONB cannot hold them, and such a value must not cost us the rest of the alert.
    """
    try:
        value = json.loads(text, strict=False, parse_constant=str, parse_float=_finite_or_text)
    except (ValueError, RecursionError, OverflowError) as exc:  # JSONDecodeError is a ValueError
        raise BadPayload(f"body is not valid JSON: {str(exc)[:200]}") from exc
    return without_nul(value) if _MAY_HOLD_NUL_OR_SURROGATE.search(text) else value


# what a decoded value needs to hold a NUL or a lone surrogate: a NUL (strict=False allows
# it raw) or its escape, a surrogate or its escape; without them the walk is skipped
_MAY_HOLD_NUL_OR_SURROGATE = re.compile(r"[\x00\ud800-\udfff]|\\u0000|\\u[dD][89a-fA-F]")


def _finite_or_text(text: str) -> float | str:
    number = float(text)
    return number if math.isfinite(number) else text


def without_nul(value: Any) -> Any:
    """Text PostgreSQL can store: no NUL characters, no lone surrogates."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


def require_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise BadPayload(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def parse_time(value: Any, default: datetime) -> datetime:
    """Epoch seconds (float or int), epoch milliseconds, or ISO-8601 (with a space or a T)."""
    if isinstance(value, bool) or value is None or value == "":
        return default
    if isinstance(value, int | float):
        try:
            seconds = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):  # out of range, inf, nan
            return default
    if isinstance(value, str):
        text = value.strip()
        try:
            return parse_time(float(text), default)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return default
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return default


def as_severity(value: Any) -> Severity | None:
    text = str(value).strip().lower() if value is not None else ""
    for severity in SEVERITIES:
        if text == severity:
            return severity
    return None


def text_or_none(value: Any) -> str | None:
    """A string, or None for missing/blank values (numbers are stringified)."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None
