"""The demo's Huntress step does not depend on being the one that polls: the job worker's
scheduled poll may run first (the explicit poll then creates nothing, or is refused with 409
while it runs); the step waits for the two tickets either way."""

from __future__ import annotations

import json

import httpx
import pytest

from alertdesk.demo.scenario import Api, DemoFailed, Setup, huntress_poll

SETUP = Setup({}, {}, {}, {"id": "h1", "provider": "huntress"}, "closed", "triage")
TICKETS = [
    {"number": "TKT-000003", "source": "huntress"},
    {"number": "TKT-000004", "source": "huntress"},
    {"number": "TKT-000001", "source": "tacticalrmm"},
]


def api(poll_status: int, poll_body: dict[str, object], tickets: list[dict[str, str]]) -> Api:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/poll"):
            return httpx.Response(poll_status, content=json.dumps(poll_body).encode())
        return httpx.Response(200, json=tickets)

    return Api(
        "http://demo.test", "adk_token", httpx.Client(transport=httpx.MockTransport(handler))
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"created": 2}),  # the demo's poll made them
        (200, {"created": 0, "skipped": 1}),  # the scheduled poll made them first
        (409, {"detail": "A poll of this integration is already running"}),
    ],
)
def test_the_two_huntress_tickets_are_found_whoever_polled(
    status: int, body: dict[str, object]
) -> None:
    told = huntress_poll(api(status, body, TICKETS), SETUP)
    assert told.startswith("TKT-000003, TKT-000004")


def test_a_poll_failure_stops_the_demo() -> None:
    with pytest.raises(DemoFailed, match="502"):
        huntress_poll(api(502, {"detail": "bad gateway"}, TICKETS), SETUP)
