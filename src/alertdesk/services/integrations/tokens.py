"""Vendor access tokens cached in memory (per process, per integration connection) until
shortly before they expire, so each vendor call does not fetch a new one."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from alertdesk.providers.base import AccessToken

# An integration connected again gets a new key (its connected_at changes).
TokenKey = tuple[uuid.UUID, uuid.UUID, datetime | None]
UNSAID_LIFETIME = 300.0  # seconds, when the vendor does not say how long a token lives
MARGIN = 60.0  # stop using a token this long before it expires


class TokenCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[TokenKey, tuple[AccessToken, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: TokenKey) -> AccessToken | None:
        with self._lock:
            found = self._tokens.get(key)
            if found is None:
                return None
            token, deadline = found
            if self._clock() < deadline:
                return token
            del self._tokens[key]
            return None

    def put(self, key: TokenKey, token: AccessToken) -> None:
        lifetime = UNSAID_LIFETIME if token.expires_in is None else token.expires_in
        with self._lock:
            self._tokens[key] = (token, self._clock() + lifetime - MARGIN)

    def forget(self, key: TokenKey) -> None:
        with self._lock:
            self._tokens.pop(key, None)
