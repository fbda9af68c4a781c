"""Webhook secrets sent as ?token= never reach the access log."""

from __future__ import annotations

import logging

import pytest

from alertdesk.app import RedactTokens


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/webhooks/ninjaone/1?token=s3cret", "/webhooks/ninjaone/1?token=[redacted]"),
        ("/webhooks/x/1?a=1&token=s3cret&b=2", "/webhooks/x/1?a=1&token=[redacted]&b=2"),
        ("/ui/tickets?status=open", "/ui/tickets?status=open"),
    ],
)
def test_the_access_log_filter_redacts_tokens(path: str, shown: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", path, "1.1", 200), None,
    )  # fmt: skip
    assert RedactTokens().filter(record)
    assert record.getMessage() == f'127.0.0.1:5000 - "POST {shown} HTTP/1.1" 200'
