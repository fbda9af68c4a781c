"""What is wrong, from a NinjaOne condition's message code and parameters: for the conditions
whose code says more, and more briefly, than the text ("Disk C: free space at or below 15%")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alertdesk.core.alert_summary import clean
from alertdesk.core.types import AlertEvent


def _message(raw: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    data = raw.get("data")
    message = data.get("message") if isinstance(data, Mapping) else None
    if not isinstance(message, Mapping):
        return "", {}
    params = message.get("params")
    return str(message.get("code") or ""), params if isinstance(params, Mapping) else {}


def _param(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    return clean(str(value)) if isinstance(value, str | int | float) else ""


def summarize(event: AlertEvent) -> str | None:
    code, params = _message(event.raw)
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
        return f"Script condition triggered: {name}" if name else None
    return None
