"""The provider registry: one explicit dict of what each vendor supplies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel

from alertdesk.providers.base import VendorApi, WebhookSource
from alertdesk.providers.ninjaone.api import NinjaOneApi, NinjaOneCredentials
from alertdesk.providers.ninjaone.webhook import NinjaOneWebhook
from alertdesk.providers.tacticalrmm.api import TacticalApi, TacticalCredentials
from alertdesk.providers.tacticalrmm.setup import url_action_templates
from alertdesk.providers.tacticalrmm.webhook import TacticalWebhook


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    label: str
    credentials: type[BaseModel]
    webhook: WebhookSource | None
    make_api: Callable[[str, Any, httpx.Client], VendorApi]
    # what an admin pastes into the vendor when its API cannot register our webhook itself
    webhook_setup: Callable[[str, str], dict[str, Any]] | None = None


REGISTRY: dict[str, ProviderSpec] = {
    "ninjaone": ProviderSpec(
        name="ninjaone",
        label="NinjaOne",
        credentials=NinjaOneCredentials,
        webhook=NinjaOneWebhook(),
        make_api=NinjaOneApi,
    ),
    "tacticalrmm": ProviderSpec(
        name="tacticalrmm",
        label="Tactical RMM",
        credentials=TacticalCredentials,
        webhook=TacticalWebhook(),
        make_api=TacticalApi,
        webhook_setup=url_action_templates,
    ),
}


def get_provider(name: str) -> ProviderSpec | None:
    return REGISTRY.get(name)
