"""Each user's channels per category; without a row both are on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from alertdesk.errors import InvalidField
from alertdesk.storage.models import NotificationPreference

RMM_ALERTS = "rmm-alerts"
WORKFLOWS = "workflows"
CATEGORIES = {
    RMM_ALERTS: "RMM and security alerts that open tickets",
    WORKFLOWS: "Messages from workflows",
}


@dataclass(frozen=True)
class Channels:
    in_app: bool = True
    email: bool = True


def channels_of(
    session: Session, tenant: uuid.UUID, user_ids: list[uuid.UUID], category: str
) -> dict[uuid.UUID, Channels]:
    """Every given user's channels for a category (one statement)."""
    rows = session.execute(
        select(NotificationPreference).where(
            NotificationPreference.tenant == tenant,
            NotificationPreference.user_id.in_(user_ids),
            NotificationPreference.category == category,
        )
    ).scalars()
    found = {r.user_id: Channels(r.in_app, r.email) for r in rows}
    return {user_id: found.get(user_id, Channels()) for user_id in user_ids}


def preferences(session: Session, tenant: uuid.UUID, user_id: uuid.UUID) -> dict[str, Channels]:
    """One user's channels for every category."""
    rows = session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.tenant == tenant, NotificationPreference.user_id == user_id
        )
    )
    found = {r.category: Channels(r.in_app, r.email) for r in rows}
    return {category: found.get(category, Channels()) for category in CATEGORIES}


def set_preferences(
    session: Session, tenant: uuid.UUID, user_id: uuid.UUID, chosen: dict[str, Channels]
) -> dict[str, Channels]:
    for category, channels in chosen.items():
        if category not in CATEGORIES:
            raise InvalidField(category, f"Unknown category {category!r}.")
        statement = insert(NotificationPreference).values(
            tenant=tenant, id=uuid.uuid4(), user_id=user_id, category=category,
            in_app=channels.in_app, email=channels.email,
        )  # fmt: skip
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant", "user_id", "category"],
                set_={"in_app": channels.in_app, "email": channels.email},
            )
        )
    return preferences(session, tenant, user_id)
