"""Keep secrets out of the access log: every query value is redacted, whatever its name.

Webhook senders that cannot set headers put the secret in the query, under any spelling
(`token`, `Token`, `tok%65n`…); OAuth callbacks carry codes. Names stay, values never do.
"""

from __future__ import annotations

import logging

REDACTED = "[redacted]"


def redact_query(text: str) -> str:
    """`/path?a=1&b` → `/path?a=[redacted]&[redacted]`; text without `?` is unchanged."""
    path, mark, query = text.partition("?")
    if not mark:
        return text
    parts = (part.partition("=") for part in query.split("&"))
    return f"{path}?" + "&".join(
        f"{name}={REDACTED}" if sep else (REDACTED if name else "") for name, sep, _ in parts
    )


class RedactQueryValues(logging.Filter):
    """Applied to uvicorn's access logger: its request-line argument loses its query values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query(a) if isinstance(a, str) else a for a in record.args)
        return True
