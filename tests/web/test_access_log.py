"""Webhook secrets (and any other query value) never reach the access log."""

from __future__ import annotations

import logging

import pytest

from alertdesk.web.access_log import RedactQueryValues, redact_query


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/webhooks/ninjaone/1?token=s3cret", "/webhooks/ninjaone/1?token=[redacted]"),
        ("/x/1?a=1&token=s3cret&b=2", "/x/1?a=[redacted]&token=[redacted]&b=[redacted]"),
        ("/webhooks/x/1?tok%65n=s3cret", "/webhooks/x/1?tok%65n=[redacted]"),
        ("/webhooks/x/1?Token=s3cret", "/webhooks/x/1?Token=[redacted]"),
        ("/webhooks/x/1?s3cret", "/webhooks/x/1?[redacted]"),
        ("/webhooks/x/1?token=a=b&&x", "/webhooks/x/1?token=[redacted]&&[redacted]"),
        ("/webhooks/x/1?", "/webhooks/x/1?"),
        ("/cb?code=s3cret&state=st", "/cb?code=[redacted]&state=[redacted]"),
        ("/ui/tickets", "/ui/tickets"),
    ],
)  # fmt: skip
def test_the_access_log_filter_redacts_every_query_value(path: str, shown: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", path, "1.1", 200), None,
    )  # fmt: skip
    assert RedactQueryValues().filter(record)
    assert record.getMessage() == f'127.0.0.1:5000 - "POST {shown} HTTP/1.1" 200'
    assert "s3cret" not in record.getMessage()


def test_text_without_a_query_is_left_alone() -> None:
    assert redact_query("127.0.0.1:5000") == "127.0.0.1:5000"
