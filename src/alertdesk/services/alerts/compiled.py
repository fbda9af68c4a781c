"""An integration's active rules (parsed, patterns compiled) and the windows that apply to it,
read once per config version and shared by the process: an event reads neither table while
nothing changed (the version comes with the event's context; storage/models/config_version.py)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alertdesk.core.rules import CompiledRules, compile_rules
from alertdesk.core.windows import Window
from alertdesk.storage.alert_queries import active_rules, active_windows

MAX_ENTRIES = 4096  # integrations kept; past it the cache starts over


@dataclass(frozen=True)
class IntegrationConfig:
    rules: CompiledRules
    windows: tuple[Window, ...]


_cache: dict[tuple[uuid.UUID, uuid.UUID], tuple[int, IntegrationConfig]] = {}
_lock = threading.Lock()


def config_of(
    session: Session, tenant: uuid.UUID, integration_id: uuid.UUID, version: int
) -> IntegrationConfig:
    key = (tenant, integration_id)
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    config = IntegrationConfig(
        compile_rules(active_rules(session, tenant, integration_id)),
        tuple(active_windows(session, tenant, integration_id)),
    )
    with _lock:
        if len(_cache) >= MAX_ENTRIES:
            _cache.clear()
        _cache[key] = (version, config)
    return config
