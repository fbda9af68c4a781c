"""The webhook route is answered ahead of the framework (web/webhooks.py): what reaches it, what
passes on to the app, and that it stays visible in the request metrics."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alertdesk.web.webhooks import Answer
from tests.conftest import TenantCtx
from tests.web.webhook_support import Connected, connect_tactical, deliver, payload

TRIGGER = payload("tacticalrmm", "webhook_trigger.json")


@pytest.fixture
def tactical(client: TestClient, tenant: TenantCtx) -> Connected:
    return connect_tactical(client, tenant.headers)


def test_webhook_answers_are_counted_under_their_handler(
    client: TestClient, tactical: Connected
) -> None:
    assert deliver(client, tactical, TRIGGER, secret="wrong").status_code == 401
    body = client.get("/metrics").text
    assert 'handler="webhooks.receive",method="POST",status="401"} 1.0' in body


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD"])
def test_other_methods_are_405_naming_post(
    client: TestClient, tactical: Connected, method: str
) -> None:
    response = client.request(method, f"/webhooks/tacticalrmm/{tactical.id}")
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    "path",
    ["/webhooks/tacticalrmm", "/webhooks/tacticalrmm/{id}/more", "/webhooks//{id}", "/webhooks/"],
)
def test_other_paths_pass_on_to_the_app_and_find_nothing(
    client: TestClient, tactical: Connected, path: str
) -> None:
    response = client.post(path.format(id=tactical.id), content=TRIGGER)
    assert response.status_code == 404, response.text


def test_the_last_token_in_the_query_is_the_one_checked(
    client: TestClient, tactical: Connected
) -> None:
    url = f"/webhooks/tacticalrmm/{tactical.id}"
    wrong_last = client.post(f"{url}?token={tactical.secret}&token=nope", content=TRIGGER)
    assert wrong_last.status_code == 401
    right_last = client.post(f"{url}?token=nope&token={tactical.secret}", content=TRIGGER)
    assert right_last.status_code == 200, right_last.text


def test_an_unknown_provider_is_404_as_json(client: TestClient) -> None:
    response = client.post(f"/webhooks/nosuchvendor/{uuid.uuid4()}", content=b"{}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "unknown or disconnected integration"}


def test_an_answer_carrying_text_that_is_not_unicode_is_still_sent() -> None:
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(Answer(400, {"detail": "bad \ud800 value"}).send(send))
    body = sent[1]["body"]
    assert isinstance(body, bytes)
    assert json.loads(body) == {"detail": "bad \ud800 value"}
