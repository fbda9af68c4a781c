"""Database outages: answered 503 with Retry-After, logged once when they start and end."""

from __future__ import annotations

import logging
import threading

from alertdesk.storage.database import refusal_reason

log = logging.getLogger("alertdesk.database")
RETRY_AFTER_SECONDS = 30


class OutageLog:
    """One log line when the database becomes unreachable and one when it is back."""

    def __init__(self) -> None:
        self._down = False
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            if self._down:
                return
            self._down = True
        reason = refusal_reason(exc, 300)
        log.error("database unreachable (%s); answering 503 until it is back", reason)

    def recovered(self) -> None:
        if not self._down:  # the common case: no lock taken
            return
        with self._lock:
            if not self._down:
                return
            self._down = False
        log.warning("database reachable again")
