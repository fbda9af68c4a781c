"""Who did something: a person (with their user id) or the system itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Actor:
    kind: Literal["user", "system"]
    user_id: uuid.UUID | None = None

    @classmethod
    def user(cls, user_id: uuid.UUID) -> Actor:
        return cls("user", user_id)

    @property
    def is_person(self) -> bool:
        return self.kind == "user"


SYSTEM = Actor("system")
