"""Reference data tickets point at: clients and their assets, boards, statuses, priorities."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from alertdesk.storage.models.base import Base, TenantKeyed, tenant_fk


def _tenant_owned() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant"], ["tenant.tenant"], ondelete="CASCADE")


class Client(TenantKeyed, Base):
    """A customer organisation of the MSP; names are unique per tenant, ignoring case."""

    __tablename__ = "client"
    __table_args__ = (
        _tenant_owned(),
        Index("uq_client_tenant_lower_name", "tenant", func.lower(text("name")), unique=True),
    )

    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Asset(TenantKeyed, Base):
    __tablename__ = "asset"
    __table_args__ = (tenant_fk(["client_id"], "client", ondelete="CASCADE"),)

    client_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200))
    serial_number: Mapped[str | None] = mapped_column(String(200))


class AssetExternalRef(TenantKeyed, Base):
    """Maps a vendor's device id (per provider) to one of our assets."""

    __tablename__ = "asset_external_ref"
    __table_args__ = (
        UniqueConstraint("tenant", "provider", "external_id"),
        tenant_fk(["asset_id"], "asset", ondelete="CASCADE"),
    )

    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    provider: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(200))


class Board(TenantKeyed, Base):
    __tablename__ = "board"
    __table_args__ = (
        _tenant_owned(),
        UniqueConstraint("tenant", "name"),
        Index(
            "uq_board_tenant_default",
            "tenant",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class TicketStatus(TenantKeyed, Base):
    """A board's workflow state; exactly one default per board and at least one closed."""

    __tablename__ = "ticket_status"
    __table_args__ = (
        UniqueConstraint("tenant", "board_id", "name"),
        tenant_fk(["board_id"], "board", ondelete="CASCADE"),
        Index(
            "uq_ticket_status_tenant_board_default",
            "tenant",
            "board_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    board_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Priority(TenantKeyed, Base):
    """Ordered by position: 0 is the most urgent."""

    __tablename__ = "priority"
    __table_args__ = (
        _tenant_owned(),
        UniqueConstraint("tenant", "name"),
        Index(
            "uq_priority_tenant_default", "tenant", unique=True, postgresql_where=text("is_default")
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    color: Mapped[str | None] = mapped_column(String(20))


class Category(TenantKeyed, Base):
    __tablename__ = "category"
    __table_args__ = (_tenant_owned(), UniqueConstraint("tenant", "name"))

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
