"""Maintenance window administration: one-off or weekly, scoped to integration/client/asset."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from alertdesk.core.windows import WindowState, window_state
from alertdesk.services.lookup import get_owned, get_referenced
from alertdesk.storage.alert_queries import window_of
from alertdesk.storage.models import Asset, Client, Integration, MaintenanceWindow

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
FIRST_DAY, END_OF_RANGE = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


class RecurrenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["weekly"]
    days: list[Annotated[StrictInt, Field(ge=0, le=6)]] = Field(min_length=1, max_length=7)
    start_time: HHMM
    end_time: HHMM
    timezone: str = Field(min_length=1, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @field_validator("days")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("days must not repeat")
        return sorted(value)

    @field_validator("end_time")
    @classmethod
    def _not_empty(cls, value: str, info: ValidationInfo) -> str:
        start = info.data.get("start_time")
        if start is not None and time.fromisoformat(start) == time.fromisoformat(value):
            raise ValueError("end_time must differ from start_time")
        return value


class WindowIn(BaseModel):
    """Either a one-off `starts_at`/`ends_at` (start < end) or a weekly `recurrence`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=255)
    is_active: bool = True
    integration_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    recurrence: RecurrenceIn | None = None

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is not None and not FIRST_DAY <= value < END_OF_RANGE:
            raise ValueError("must be a date between 2000 and 2099")
        return value

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("starts_at")
        if value is not None and start is not None and value <= start:
            raise ValueError("ends_at must be after starts_at")
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> Self:
        one_off = self.starts_at is not None or self.ends_at is not None
        if one_off and self.recurrence is not None:
            raise ValueError("give either starts_at/ends_at or a recurrence, not both")
        if self.recurrence is None and (self.starts_at is None or self.ends_at is None):
            raise ValueError("give starts_at and ends_at, or a weekly recurrence")
        return self


def _check_scope(session: Session, tenant: uuid.UUID, data: WindowIn) -> None:
    if data.integration_id is not None:
        get_referenced(session, Integration, tenant, data.integration_id, "integration_id")
    if data.client_id is not None:
        get_referenced(session, Client, tenant, data.client_id, "client_id")
    if data.asset_id is not None:
        get_referenced(session, Asset, tenant, data.asset_id, "asset_id")


def _apply(window: MaintenanceWindow, data: WindowIn, now: datetime) -> None:
    window.name, window.is_active = data.name, data.is_active
    window.integration_id, window.client_id = data.integration_id, data.client_id
    window.asset_id = data.asset_id
    window.starts_at = data.starts_at.astimezone(UTC) if data.starts_at else None
    window.ends_at = data.ends_at.astimezone(UTC) if data.ends_at else None
    window.recurrence = data.recurrence.model_dump() if data.recurrence else None
    window.updated_at = now


def list_windows(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID | None = None
) -> list[MaintenanceWindow]:
    """All windows, or those that apply to one integration (its own and the global ones)."""
    query = select(MaintenanceWindow).where(MaintenanceWindow.tenant == tenant)
    if integration_id is not None:
        query = query.where(
            MaintenanceWindow.integration_id.is_(None)
            | (MaintenanceWindow.integration_id == integration_id)
        )
    return list(session.scalars(query.order_by(MaintenanceWindow.name)))


def get_window(session: Session, tenant: uuid.UUID, window_id: uuid.UUID) -> MaintenanceWindow:
    return get_owned(session, MaintenanceWindow, tenant, window_id)


def create_window(
    session: Session, tenant: uuid.UUID, data: WindowIn, now: datetime
) -> MaintenanceWindow:
    _check_scope(session, tenant, data)
    window = MaintenanceWindow(tenant=tenant, id=uuid.uuid4(), created_at=now)
    _apply(window, data, now)
    session.add(window)
    session.flush()
    return window


def update_window(
    session: Session, tenant: uuid.UUID, window_id: uuid.UUID, data: WindowIn, now: datetime
) -> MaintenanceWindow:
    window = get_window(session, tenant, window_id)
    _check_scope(session, tenant, data)
    _apply(window, data, now)
    session.flush()
    return window


def delete_window(session: Session, tenant: uuid.UUID, window_id: uuid.UUID) -> None:
    session.delete(get_window(session, tenant, window_id))
    session.flush()


def states(windows: list[MaintenanceWindow], now: datetime) -> dict[uuid.UUID, WindowState]:
    """For the list: whether each window covers now and when it next begins."""
    return {w.id: window_state(window_of(w), now) for w in windows}
