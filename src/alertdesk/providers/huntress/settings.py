"""What an admin may set on a Huntress integration (API.md "Huntress"): routing, severity →
priority, polling, auto-close. The incident cursor and the account identity are written by
alertdesk only (SYSTEM_KEYS); that the ids exist is checked by services/huntress/settings."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SYSTEM_KEYS = ("incident_cursor", "account_name", "account_subdomain")


class SeverityPriorities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    critical: uuid.UUID | None = None
    high: uuid.UUID | None = None
    low: uuid.UUID | None = None


class HuntressSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    board_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    fallback_client_id: uuid.UUID | None = None
    fallback_board_id: uuid.UUID | None = None
    severity_priority_map: SeverityPriorities = SeverityPriorities()
    poll_interval_minutes: Annotated[int, Field(ge=1, le=60)] = 5
    backfill_days: Annotated[int, Field(ge=1, le=30)] = 7
    auto_close_tickets: bool = False
    closed_status_id: uuid.UUID | None = None
    notify_user_ids: list[uuid.UUID] = []
