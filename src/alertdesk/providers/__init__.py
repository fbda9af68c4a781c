"""The provider registry: one explicit dict of what each vendor supplies."""

from __future__ import annotations

from alertdesk.providers.huntress.api import DEFAULT_URL as HUNTRESS_URL
from alertdesk.providers.huntress.api import HuntressApi, HuntressCredentials
from alertdesk.providers.huntress.settings import HuntressSettingsIn
from alertdesk.providers.ninjaone.api import NinjaOneApi, NinjaOneCredentials
from alertdesk.providers.ninjaone.sample import sample_alert as ninjaone_sample
from alertdesk.providers.ninjaone.summary import summarize as ninjaone_summary
from alertdesk.providers.ninjaone.webhook import NinjaOneWebhook
from alertdesk.providers.spec import ConnectHints, OAuthFlow, ProviderSpec
from alertdesk.providers.tacticalrmm.api import TacticalApi, TacticalCredentials
from alertdesk.providers.tacticalrmm.sample import sample_alert as tactical_sample
from alertdesk.providers.tacticalrmm.setup import url_action_templates
from alertdesk.providers.tacticalrmm.summary import summarize as tactical_summary
from alertdesk.providers.tacticalrmm.webhook import TacticalWebhook

__all__ = ["REGISTRY", "ProviderSpec", "get_provider"]

NINJA_HOSTS = tuple(f"https://{region}.ninjarmm.com" for region in ("app", "us2", "eu", "ca", "oc"))

REGISTRY: dict[str, ProviderSpec] = {
    "ninjaone": ProviderSpec(
        name="ninjaone",
        label="NinjaOne",
        credentials=NinjaOneCredentials,
        make_api=NinjaOneApi,
        connect=ConnectHints(
            help="Create a client app in NinjaOne (Administration → Apps → API) with the "
            "Monitoring and Management scopes. alertdesk checks it, then registers its "
            "webhook in NinjaOne for you.",
            instance_label="Instance",
            instance_choices=NINJA_HOSTS,
        ),
        webhook=NinjaOneWebhook(),
        sample_alert=ninjaone_sample,
        summarize=ninjaone_summary,
        outbound=True,
        fetches_alerts=True,
        oauth=OAuthFlow(
            make_api=NinjaOneApi,
            direct_choice="Client credentials (machine-to-machine app)",
            oauth_choice="Authorize in NinjaOne (web app, authorization code)",
        ),
    ),
    "tacticalrmm": ProviderSpec(
        name="tacticalrmm",
        label="Tactical RMM",
        credentials=TacticalCredentials,
        make_api=TacticalApi,
        connect=ConnectHints(
            help="Create an API key in Tactical (Settings → Global Settings → API Keys). "
            "After connecting you get two URL Actions to paste into Tactical.",
            instance_label="API address",
        ),
        webhook=TacticalWebhook(),
        sample_alert=tactical_sample,
        summarize=tactical_summary,
        webhook_setup=url_action_templates,
        outbound=True,
        fetches_alerts=True,
    ),
    "huntress": ProviderSpec(
        name="huntress",
        label="Huntress",
        credentials=HuntressCredentials,
        make_api=HuntressApi,
        connect=ConnectHints(
            help="Create an API key pair in Huntress (<your subdomain>.huntress.io → Account →"
            " API Credentials). alertdesk then polls your incident reports into tickets.",
            instance_label="API address",
            instance_placeholder=HUNTRESS_URL,
            instance_default=HUNTRESS_URL,
        ),
        polls_incidents=True,
        settings=HuntressSettingsIn,
        category="Security",
    ),
}


def get_provider(name: str) -> ProviderSpec | None:
    return REGISTRY.get(name)
