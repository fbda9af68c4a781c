"""The maintenance-window editor's form: stored window ↔ form values ↔ validated `WindowIn`, with
one-off times typed in the admin's timezone and each error kept at its field."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from starlette.datastructures import FormData

from alertdesk.services.alerts.windows import WindowIn
from alertdesk.storage.models import MaintenanceWindow

DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # 0 = Sunday, as stored
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
_FIELD_OF = {"type": "schedule", "start_time": "start_time", "end_time": "end_time",
             "days": "days", "timezone": "timezone"}  # fmt: skip


FRIENDLY = {
    ("name", "string_too_short"): "Give the window a name.",
    ("start_time", "string_pattern_mismatch"): "Enter a time like 22:00.",
    ("end_time", "string_pattern_mismatch"): "Enter a time like 06:00.",
    ("days", "too_short"): "Tick at least one day.",
}


_WORDS = (("ends_at", "the end"), ("starts_at", "the start"), ("end_time", "the end time"),
          ("start_time", "the start time"))  # fmt: skip


class WindowFormInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class WindowForm:
    name: str = ""
    is_active: bool = True
    integration_id: str = ""
    client_id: str = ""
    asset_id: str = ""
    schedule: str = "weekly"  # or "once"
    starts_at: str = ""  # local wall time in `timezone`, as the input shows it
    ends_at: str = ""
    days: list[int] = field(default_factory=list)
    start_time: str = "22:00"
    end_time: str = "06:00"
    timezone: str = "UTC"
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls, zone: str) -> WindowForm:
        return cls(timezone=zone)

    @classmethod
    def of_window(cls, window: MaintenanceWindow, zone: str) -> WindowForm:
        form = cls(
            name=window.name,
            is_active=window.is_active,
            integration_id=str(window.integration_id or ""),
            client_id=str(window.client_id or ""),
            asset_id=str(window.asset_id or ""),
            timezone=zone,
        )
        if window.recurrence:
            r = window.recurrence
            form.days, form.timezone = list(r.get("days", [])), r.get("timezone", zone)
            form.start_time, form.end_time = r.get("start_time", ""), r.get("end_time", "")
        else:
            form.schedule = "once"
            form.starts_at = _local(window.starts_at, zone)
            form.ends_at = _local(window.ends_at, zone)
        return form

    @classmethod
    def posted(cls, data: FormData) -> WindowForm:
        text = {k: v for k, v in data.items() if isinstance(v, str)}
        form = cls(is_active="is_active" in text)
        for key in ("name", "integration_id", "client_id", "asset_id", "starts_at", "ends_at",
                    "start_time", "end_time", "timezone"):  # fmt: skip
            setattr(form, key, text.get(key, "").strip())
        form.schedule = "once" if text.get("schedule") == "once" else "weekly"
        form.days = sorted({int(d) for d in data.getlist("days") if isinstance(d, str) and
                            d.isdigit() and int(d) < len(DAYS)})  # fmt: skip
        return form

    def to_input(self) -> WindowIn:
        """The validated window, or WindowFormInvalid naming each bad field."""
        body: dict[str, Any] = {
            "name": self.name,
            "is_active": self.is_active,
            **{k: getattr(self, k) or None for k in ("integration_id", "client_id", "asset_id")},
        }
        errors: dict[str, str] = {}
        if self.schedule == "once":
            for key in ("starts_at", "ends_at"):
                body[key] = _aware(getattr(self, key), self.timezone, key, errors)
        else:
            body["recurrence"] = {
                "type": "weekly", "days": self.days, "start_time": self.start_time,
                "end_time": self.end_time, "timezone": self.timezone,
            }  # fmt: skip
        if errors:
            raise WindowFormInvalid(errors)
        try:
            return WindowIn.model_validate(body)
        except ValidationError as exc:
            raise WindowFormInvalid(_errors(exc)) from exc

    def values(self) -> dict[str, Any]:
        return asdict(self)


def _local(value: datetime | None, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime(LOCAL_INPUT) if value else ""


def _aware(text: str, zone: str, key: str, errors: dict[str, str]) -> datetime | None:
    if not text:
        errors[key] = "Enter a date and time."
        return None
    try:
        return datetime.strptime(text, LOCAL_INPUT).replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        errors[key] = "Enter a date and time like 2026-12-24 22:00."
    except Exception:  # an unknown zone name: ZoneInfo raises several kinds
        errors["timezone"] = f"Unknown timezone {zone!r}."
    return None


def _errors(exc: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        key = _FIELD_OF.get(loc[1], "schedule") if loc[:1] == ["recurrence"] and len(loc) > 1 \
            else (loc[0] if loc else "schedule")  # fmt: skip
        message = FRIENDLY.get((key, error["type"])) or error["msg"].removeprefix("Value error, ")
        message = message.replace("ends_at", "the end").replace("starts_at", "the start")
        message = message.replace("end_time", "the end time").replace(
            "start_time", "the start time"
        )
        if key.endswith("_id"):
            message = "Choose one from the list."
        found.setdefault(key, message[:1].upper() + message[1:])
    return found
