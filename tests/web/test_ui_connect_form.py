"""The connect forms are generated from each provider's spec: a new provider's credentials model
(Huntress-shaped here, registered only for the test) gets a form with no code in web/."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from alertdesk.providers import REGISTRY
from alertdesk.providers.base import ExternalOrg, VendorError
from alertdesk.providers.spec import ConnectHints, ProviderSpec
from tests.conftest import TenantCtx
from tests.web.ui_support import page_token, sign_in

PAGE = "/ui/settings/integrations"
INPUT = re.compile(r"<input ([^>]*)>")


class HuntressCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: str
    api_secret: SecretStr = Field(description="Shown once, when the key is generated.")


class RefusingApi:
    """Never reached in these tests: a connect that gets this far has passed validation."""

    def __init__(self, instance_url: str, creds: Any, http: httpx.Client) -> None:
        self.creds = creds

    def validate(self) -> None:
        raise VendorError("not part of this test", 401)

    def list_organizations(self) -> Sequence[ExternalOrg]:
        return []

    def credentials(self) -> dict[str, Any]:
        return {}


HUNTRESS = ProviderSpec(
    name="huntress",
    label="Huntress",
    credentials=HuntressCredentials,
    make_api=RefusingApi,
    connect=ConnectHints(help="Generate an API key in Huntress.", instance_label="API address"),
)


@pytest.fixture
def huntress(monkeypatch: pytest.MonkeyPatch) -> ProviderSpec:
    monkeypatch.setitem(REGISTRY, HUNTRESS.name, HUNTRESS)
    return HUNTRESS


def inputs(page: str) -> dict[str, dict[str, str]]:
    """The page's inputs by id, each as its attributes."""
    found = {}
    for match in INPUT.finditer(page):
        attrs = dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', match.group(1)))
        if "id" in attrs:
            found[attrs["id"]] = attrs
    return found


def test_a_huntress_shaped_credentials_model_gets_a_connect_form(
    client: TestClient, tenant: TenantCtx, huntress: ProviderSpec
) -> None:
    sign_in(client, tenant.admin.email)
    page = client.get(PAGE)
    assert page.status_code == 200, page.text
    fields = inputs(page.text)
    key, secret = fields["huntress-api_key"], fields["huntress-api_secret"]
    assert (key["type"], key["name"], "required" in key) == ("text", "api_key", True)
    assert (secret["type"], secret["name"], secret["autocomplete"]) == (
        "password",
        "api_secret",
        "off",
    )
    assert fields["huntress-instance_url"]["name"] == "instance_url"
    assert '<label for="huntress-api_key">API key</label>' in page.text
    assert '<label for="huntress-api_secret">API secret</label>' in page.text
    assert "Shown once, when the key is generated." in page.text
    assert "Connect Huntress" in page.text
    assert "huntress-authorization" not in page.text  # no OAuth capability, no sign-in choice


def test_its_validation_comes_from_the_model_and_is_shown_at_the_field(
    client: TestClient, tenant: TenantCtx, huntress: ProviderSpec
) -> None:
    sign_in(client, tenant.admin.email)
    form = {"provider": "huntress", "instance_url": "https://api.huntress.io", "api_key": "k"}
    response = client.post(PAGE, data={"csrf_token": page_token(client, PAGE), **form})
    assert response.status_code == 422
    fields = inputs(response.text)
    assert fields["huntress-api_secret"]["aria-invalid"] == "true"
    assert fields["huntress-api_key"]["value"] == "k"  # kept; secrets are never sent back
    assert 'id="huntress-api_secret-error">Field required<' in response.text
    assert client.get("/api/v1/integrations", headers=tenant.headers).json() == []


def test_a_bad_address_is_shown_at_its_field_with_what_was_typed(
    client: TestClient, tenant: TenantCtx
) -> None:
    sign_in(client, tenant.admin.email)
    form = {"provider": "tacticalrmm", "instance_url": "ftp://x", "api_key": "tactical-key"}
    response = client.post(PAGE, data={"csrf_token": page_token(client, PAGE), **form})
    assert response.status_code == 422
    address = inputs(response.text)["tacticalrmm-instance_url"]
    assert (address["aria-invalid"], address["value"]) == ("true", "ftp://x")
    assert "tacticalrmm-instance_url-error" in address["aria-describedby"]
    assert 'role="alert"' not in response.text  # the field says it; no banner as well
    assert inputs(response.text)["tacticalrmm-api_key"].get("value") is None


def test_ninjaone_offers_its_oauth_sign_in_and_hides_the_refresh_token(
    client: TestClient, tenant: TenantCtx
) -> None:
    sign_in(client, tenant.admin.email)
    page = client.get(PAGE).text
    assert 'id="ninjaone-authorization"' in page
    assert "Authorize in NinjaOne (web app, authorization code)" in page
    assert "refresh_token" not in page
    assert 'id="tacticalrmm-authorization"' not in page
