"""Domain errors that carry their HTTP status, raised by services and rendered by web."""

from __future__ import annotations


class AlertdeskError(Exception):
    """Base error: a message safe to show to the caller and an HTTP status."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AlertdeskError):
    status_code = 404


class Conflict(AlertdeskError):
    status_code = 409


class Unauthorized(AlertdeskError):
    status_code = 401


class Forbidden(AlertdeskError):
    status_code = 403


class UpstreamError(AlertdeskError):
    """A vendor API failed or timed out; nothing was saved."""

    status_code = 502


class InvalidField(AlertdeskError):
    """A request field that is well-formed but not acceptable (unknown id, bad state)."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Unavailable(AlertdeskError):
    """A dependency we cannot work without (the database) is down; retry later."""

    status_code = 503
