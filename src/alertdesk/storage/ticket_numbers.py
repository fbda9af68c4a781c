"""Each tenant's ticket numbers come from a PostgreSQL sequence of its own: concurrent ticket
creations never wait for each other (a rolled-back creation leaves a gap in the numbers)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, literal, select, text
from sqlalchemy.orm import Session

from alertdesk.core.ticket_numbers import PREFIX, WIDTH


def sequence_name(tenant: uuid.UUID) -> str:
    return f"ticket_number_{tenant.hex}"


def create_sequence(session: Session, tenant: uuid.UUID) -> None:
    """Made with the tenant (DDL: in its transaction, gone if that rolls back)."""
    session.execute(text(f"create sequence {sequence_name(tenant)} minvalue 1"))


SEQUENCE = "ticket_sequence"  # the parameter naming the tenant's sequence: sequence_name(tenant)


def _next_number() -> Any:
    drawn = func.nextval(func.to_regclass(bindparam(SEQUENCE, type_=Text)))
    digits = cast(drawn.table_valued("n").render_derived(name="drawn").c.n, Text)
    padded = func.lpad(digits, func.greatest(WIDTH, func.length(digits)), "0")
    return select(literal(PREFIX) + padded).scalar_subquery()


# the tenant's next ticket number as SQL — formatted as core.ticket_numbers formats it — so the
# ticket's INSERT draws it itself (built once); NULL when the tenant has no sequence
NEXT_NUMBER = _next_number()
