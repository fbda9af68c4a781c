"""JSON shapes of the REST API (snake_case, ids as `id`, references as `<thing>_id`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_OFFSET = 1_000_000  # deeper paging is a mistake, not a need (and bigint-safe)


class Input(BaseModel):
    """Request bodies reject unknown fields, so a typo is a 422 naming it, not silently lost."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ClientIn(Input):
    name: str = Field(min_length=1, max_length=200)


class ClientPatch(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class ClientOut(Output):
    id: uuid.UUID
    name: str
    is_active: bool
    created_at: datetime


class ExternalRefIn(Input):
    provider: str = Field(min_length=1, max_length=50)
    external_id: str = Field(min_length=1, max_length=200)


class ExternalRefOut(Output):
    provider: str
    external_id: str


class AssetIn(Input):
    client_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)
    serial_number: str | None = Field(default=None, max_length=200)
    external_refs: list[ExternalRefIn] = []


class AssetPatch(Input):
    """Fields left out stay as they are; `external_refs` replaces the whole list."""

    client_id: uuid.UUID | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    serial_number: str | None = Field(default=None, max_length=200)
    external_refs: list[ExternalRefIn] | None = None


class AssetOut(Output):
    id: uuid.UUID
    client_id: uuid.UUID
    name: str
    serial_number: str | None
    external_refs: list[ExternalRefOut]


class StatusIn(Input):
    name: str = Field(min_length=1, max_length=100)
    is_default: bool = False
    is_closed: bool = False


class StatusOut(Output):
    id: uuid.UUID
    name: str
    is_default: bool
    is_closed: bool
    position: int


class BoardIn(Input):
    name: str = Field(min_length=1, max_length=200)
    statuses: list[StatusIn] = Field(min_length=2)


class BoardPatch(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_default: bool | None = None


class BoardOut(Output):
    id: uuid.UUID
    name: str
    is_default: bool
    statuses: list[StatusOut]


class PriorityIn(Input):
    name: str = Field(min_length=1, max_length=100)
    color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")


class PriorityPatch(Input):
    """`color: null` removes the colour."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")


class PriorityOut(Output):
    id: uuid.UUID
    name: str
    position: int
    is_default: bool
    color: str | None


class CategoryIn(Input):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None


class CategoryOut(Output):
    id: uuid.UUID
    name: str
    description: str | None


class UserIn(Input):
    email: str = Field(min_length=3, max_length=320)
    name: str = Field(default="", max_length=200)
    password: str = Field(min_length=8, max_length=200)
    role: Literal["admin", "technician"] = "technician"


class UserPatch(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Literal["admin", "technician"] | None = None
    is_active: bool | None = None


class UserOut(Output):
    id: uuid.UUID
    email: str
    name: str
    role: str
    is_active: bool


class TokenIn(Input):
    name: str = Field(min_length=1, max_length=200)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(Output):
    id: uuid.UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str
