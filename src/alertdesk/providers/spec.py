"""What a provider declares: its credentials model, how to reach it, and the optional
capabilities it has (webhook, outbound, fetches_alerts, oauth, polls_incidents)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel

from alertdesk.core.types import AlertEvent
from alertdesk.providers.base import ExternalOrg, OAuthApi, VendorApi, WebhookSource


@dataclass(frozen=True)
class ConnectHints:
    """What the connect form says about the instance address (the credentials come from the
    credentials model): a help line, and either a list of hosts or a free-text placeholder."""

    help: str
    instance_label: str = "Address"
    instance_choices: tuple[str, ...] = ()
    instance_placeholder: str = "https://api.example.com"
    instance_default: str = ""  # prefilled (a cloud vendor's one API address)


@dataclass(frozen=True)
class OAuthFlow:
    """An authorization-code sign-in, offered next to the credentials-only one."""

    make_api: Callable[[str, Any, httpx.Client], OAuthApi]
    direct_choice: str  # how the form names signing in with the credentials alone
    oauth_choice: str


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    label: str
    credentials: type[BaseModel]
    make_api: Callable[[str, Any, httpx.Client], VendorApi]
    connect: ConnectHints
    webhook: WebhookSource | None = None
    # what an admin pastes into the vendor when its API cannot register our webhook itself
    webhook_setup: Callable[[str, str], dict[str, Any]] | None = None
    outbound: bool = False  # its API is an OutboundAdapter: alerts can be reset from here
    oauth: OAuthFlow | None = None
    fetches_alerts: bool = False  # its API is an AlertFetcher: reconciliation polling
    polls_incidents: bool = False  # a security feed polled into tickets (Huntress), no webhook
    settings: type[BaseModel] | None = None  # its own settings model (None: the RMM one)
    category: str = "Remote Monitoring & Management"  # the group it is listed under
    # what is wrong, read from the vendor's own payload (the start of default ticket titles)
    summarize: Callable[[AlertEvent], str | None] | None = None
    # a realistic webhook body for "Send test alert": (organization, unique serial, now) → body
    sample_alert: Callable[[ExternalOrg | None, int, datetime], dict[str, Any]] | None = None
