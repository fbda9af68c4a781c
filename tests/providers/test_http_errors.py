"""Vendor errors name the status and the vendor's JSON error field, never a raw body; network
failures answer one message whatever the reason, so replies do not tell open from closed ports."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from alertdesk.providers.base import VendorError
from alertdesk.providers.http import call
from alertdesk.testing.fakes import serving

URL = "https://rmm.example/api/agents/"
ANSWERED = "TacticalRMM answered {} to GET /api/agents/"
SECRET = "internal-token-4f7a"


def failure(handler: Callable[[httpx.Request], httpx.Response], url: str = URL) -> VendorError:
    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        pytest.raises(VendorError) as info,
    ):
        call(http, "TacticalRMM", "GET", url)
    return info.value


def answer(status: int, **kwargs: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, **kwargs)


def raw_json(body: str) -> dict[str, Any]:
    return {"content": body.encode(), "headers": {"content-type": "application/json"}}


@pytest.mark.parametrize(
    ("status", "body", "detail"),
    [
        pytest.param(500, {"html": f"<html><h1>Error</h1>{SECRET}</html>"}, "", id="html"),
        pytest.param(502, {"text": f"upstream {SECRET} refused"}, "", id="text"),
        pytest.param(404, {"text": '{"detail": "Not found."}'}, "", id="json-as-text"),
        pytest.param(404, {"json": {"detail": "Not found."}}, "Not found.", id="detail"),
        pytest.param(400, {"json": {"error": "invalid_grant"}}, "invalid_grant", id="error"),
        pytest.param(
            401,
            {"json": {"error": "invalid_client", "error_description": "Client unknown"}},
            "Client unknown",
            id="error_description",
        ),
        pytest.param(409, {"json": {"message": "Busy", "code": 7}}, "Busy", id="message"),
        pytest.param(
            404,
            {"json": {"resultCode": "FAILURE", "errorMessage": "Device 9 not found"}},
            "Device 9 not found",
            id="errorMessage",
        ),
        pytest.param(400, {"json": {"resultCode": "INVALID_SCOPE"}}, "INVALID_SCOPE", id="code"),
        pytest.param(
            403,
            {"json": {"error": {"code": 3, "message": "Forbidden here"}}},
            "Forbidden here",
            id="nested",
        ),
        pytest.param(400, {"json": {"error": {"error": {"message": "deep"}}}}, "", id="too-deep"),
        pytest.param(
            400, {"json": {"detail": [{"loc": ["x"], "msg": SECRET}]}}, "", id="not-a-string"
        ),
        pytest.param(
            400, {"json": {"detail": "  ", "error": "blank skipped"}}, "blank skipped", id="blank"
        ),
        pytest.param(500, {"json": {"status": SECRET}}, "", id="no-error-key"),
        pytest.param(500, {"json": [SECRET]}, "", id="list"),
        pytest.param(500, {"json": SECRET}, "", id="string"),
        pytest.param(500, raw_json(f"{{not json {SECRET}"), "", id="broken-json"),
        pytest.param(
            400,
            {"json": {"detail": "bad\r\nX-Injected: 1\x1b[31m\u202eevil\x00 end"}},
            "bad X-Injected: 1 [31m evil end",
            id="control-chars",
        ),
        pytest.param(400, {"json": {"detail": "x" * 10_000}}, "x" * 199 + "…", id="huge-message"),
        pytest.param(
            500,
            raw_json(json.dumps({"detail": "too big", "pad": "y" * 70_000})),
            "",
            id="huge-body",
        ),
    ],
)
def test_error_bodies_become_a_status_and_the_vendor_error_field(
    status: int, body: dict[str, Any], detail: str
) -> None:
    error = failure(answer(status, **body))
    expected = ANSWERED.format(status)
    assert str(error) == (f"{expected}: {detail}" if detail else expected)
    assert error.status == status
    assert SECRET not in str(error)


def test_json_content_type_with_charset_is_json() -> None:
    headers = {"content-type": "application/problem+json; charset=utf-8"}
    error = failure(answer(422, content=b'{"detail": "bad field"}', headers=headers))
    assert str(error) == f"{ANSWERED.format(422)}: bad field"


@pytest.mark.parametrize(
    ("retry_after", "hint"),
    [("120", "; retry after 120 s"), ("", ""), (f"<b>{SECRET}</b>", ""), ("1234567", "")],
)
def test_rate_limiting_echoes_only_a_number_of_seconds(retry_after: str, hint: str) -> None:
    error = failure(answer(429, text=SECRET, headers={"retry-after": retry_after}))
    assert str(error) == f"TacticalRMM is rate-limiting us (429){hint}"


UNREACHABLE = "could not reach TacticalRMM at rmm.example"
LATE = "TacticalRMM at rmm.example did not answer in time (GET /api/agents/)"


def raising(exc: type[httpx.TransportError], text: str) -> Callable[[httpx.Request], Any]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc(text, request=request)

    return handler


@pytest.mark.parametrize(
    ("exc", "text", "message"),
    [
        (httpx.ConnectError, "[Errno 111] Connection refused", UNREACHABLE),
        (httpx.ConnectError, "[Errno -2] Name or service not known", UNREACHABLE),
        (httpx.ConnectError, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed", UNREACHABLE),
        (httpx.ReadError, "[Errno 104] Connection reset by peer", UNREACHABLE),
        (httpx.RemoteProtocolError, f"illegal status line: b'SSH-2.0-{SECRET}'", UNREACHABLE),
        (httpx.ConnectTimeout, "timed out", UNREACHABLE),
        (httpx.ReadTimeout, "The read operation timed out", LATE),
        (httpx.WriteTimeout, "timed out", LATE),
        (httpx.PoolTimeout, "timed out", LATE),
    ],
)
def test_network_failures_say_nothing_of_the_reason(
    exc: type[httpx.TransportError], text: str, message: str
) -> None:
    error = failure(raising(exc, text))
    assert (str(error), error.status) == (message, None)


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections (in the kernel backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield listener.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens once the socket is closed


def real_failure(url: str) -> str:
    with httpx.Client(timeout=0.5) as http, pytest.raises(VendorError) as info:
        call(http, "TacticalRMM", "GET", url)
    return str(info.value)


def test_real_closed_silent_and_open_ports_answer_without_socket_details() -> None:
    closed = real_failure(f"http://127.0.0.1:{closed_port()}/agents/")
    with silent_port() as port:
        silent = real_failure(f"http://127.0.0.1:{port}/agents/")
    with serving(answer(404, text=f"not found {SECRET}")) as base:
        open_port = real_failure(f"{base}/agents/")
    assert closed == "could not reach TacticalRMM at 127.0.0.1"
    assert silent == "TacticalRMM at 127.0.0.1 did not answer in time (GET /agents/)"
    assert open_port == "TacticalRMM answered 404 to GET /agents/"
    for message in (closed, silent, open_port):
        assert "Errno" not in message
        assert "refused" not in message
        assert SECRET not in message
