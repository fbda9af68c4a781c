"""Declarative base: constraint naming convention and the (tenant, id) key every table shares."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, MetaData, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantKeyed:
    """Primary key (tenant, id): the tenant column leads so the table can be distributed."""

    tenant: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def tenant_fk(columns: list[str], target: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A composite FK (tenant, <columns>) → target(tenant, id)."""
    return ForeignKeyConstraint(
        ["tenant", *columns], [f"{target}.tenant", f"{target}.id"], ondelete=ondelete
    )
