"""Reading HTML forms: the posted form with its repeated fields, and ids ("" means none;
anything else must be a real id, else 422)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from alertdesk.errors import InvalidField


def form_id(value: str, field: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise InvalidField(field, f"{field} is not a valid id.") from exc


async def _form_data(request: Request) -> FormData:
    return await request.form()


# A posted form with its repeated fields (checkbox groups) kept: `data.getlist("days")`.
PostedForm = Annotated[FormData, Depends(_form_data)]
