"""POST /webhooks/{provider}/{integration_id}: authenticate, process and store — in one
transaction (a delivery whose processing fails is stored on its own for the retry, 202); the
answer is sent after the commit. Deliveries that arrive while the database threads are busy
wait, and are then taken together: one transaction and one commit for all of them.

Served by a plain ASGI layer ahead of the framework's routing and dependencies (inside its
outermost error middleware and the request metrics): a vendor's delivery is the hot path, and
they cost it a fifth of its CPU. Every other request passes through to the app.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from alertdesk.core.webhook_auth import authenticate
from alertdesk.runtime import Runtime
from alertdesk.services.integrations import deliveries, inbound
from alertdesk.services.integrations.inbound import Delivery
from alertdesk.storage.database import Database
from alertdesk.web.health import HttpMetrics
from alertdesk.web.outage import RETRY_AFTER_SECONDS, OutageLog

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
PATH = re.compile(r"/webhooks/(?P<provider>[^/]+)/(?P<integration_id>[^/]+)")
# deliveries are processed on threads of their own: a plain executor hand-off costs a fraction
# of anyio's thread pool (its cancel scope and capacity limiter per call). A few threads, each
# taking every delivery waiting (up to TOGETHER): more concurrent transactions than cores cost
# the database more CPU per delivery, and queue more of them on a busy condition's lock row.
# One pool for the process (one app serves it; apps made by tests share it).
THREADS = 4
TOGETHER = 16
_THREADS = ThreadPoolExecutor(THREADS, thread_name_prefix="webhook")


@dataclass(frozen=True)
class Answer:
    """A JSON answer with its extra headers; ASCII-escaped, so vendor text that is not valid
    Unicode (a lone surrogate) cannot break the answer."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    async def send(self, send: Send) -> None:
        content = json.dumps(self.body, separators=(",", ":")).encode()
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(content)).encode())]  # fmt: skip
        headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


class WebhookRoute:
    """ASGI: /webhooks/{provider}/{integration_id} is answered here (POST; 405 otherwise);
    anything else goes on to `app`."""

    def __init__(
        self, app: ASGIApp, runtime: Runtime, outage: OutageLog, metrics: HttpMetrics
    ) -> None:
        self.app, self.runtime = app, runtime
        self.ingest = Ingest(runtime.database, outage, metrics)

    async def __call__(self, scope: Scope, messages: Receive, send: Send) -> None:
        match = PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        if match is None:
            await self.app(scope, messages, send)
            return
        scope["endpoint"] = receive  # names the handler in the request metrics
        if scope["method"] == "POST":
            answer = await receive(self.runtime, self.ingest, scope, messages, **match.groupdict())
        else:
            answer = Answer(405, {"detail": "Method Not Allowed"}, {"Allow": "POST"})
        await answer.send(send)


async def receive(
    runtime: Runtime,
    ingest: Ingest,
    scope: Scope,
    messages: Receive,
    provider: str,
    integration_id: str,
) -> Answer:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    body = await _read_limited(headers, messages)
    if body is None:
        return Answer(413, {"detail": f"body larger than {MAX_BODY} bytes"})
    try:
        integration_uuid = uuid.UUID(integration_id)
    except ValueError:
        return Answer(404, {"detail": "unknown integration"})
    query = dict(
        parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    )
    now, vault, token = runtime.now(), runtime.vendor.vault, query.get("token")

    def authenticated(session: Session) -> deliveries.Received | Delivery:
        integration = inbound.find_active_integration(session, provider, integration_uuid)
        if integration is None or integration.webhook_secret_encrypted is None:
            return Delivery(404, {"detail": "unknown or disconnected integration"})
        secret = vault.webhook_secret(integration.webhook_secret_encrypted)
        method = authenticate(secret, headers, token, body)
        if method is None:
            return Delivery(401, {"detail": "missing or wrong webhook secret"})
        received = inbound.received(integration, body, headers.get("content-type"), method, now)
        return integration, received

    return await ingest(provider, authenticated, now)


async def _read_limited(headers: dict[str, str], messages: Receive) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY (checked while reading)."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    while True:
        message = await messages()
        if message["type"] != "http.request":  # the sender went away: nothing to answer
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


@dataclass(frozen=True)
class _Waiting:
    """A delivery waiting for a database thread, and where its answer goes."""

    provider: str
    receive: deliveries.Receive
    now: datetime
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future[Answer]


class Ingest:
    """The deliveries waiting for a database thread, and the threads taking them: at most
    THREADS at a time, each taking all that wait (up to TOGETHER) into one transaction."""

    def __init__(self, database: Database, outage: OutageLog, metrics: HttpMetrics) -> None:
        self.database, self.outage, self.metrics = database, outage, metrics
        self.waiting: deque[_Waiting] = deque()
        self.lock = threading.Lock()
        self.taking = 0  # threads taking deliveries now

    async def __call__(self, provider: str, receive: deliveries.Receive, now: datetime) -> Answer:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(provider, receive, now, loop, loop.create_future())
        with self.lock:
            self.waiting.append(waiting)
            start = self.taking < THREADS
            self.taking += start
        if start:
            _THREADS.submit(self._take)
        return await waiting.answer

    def _take(self) -> None:
        while True:
            with self.lock:
                batch = [self.waiting.popleft() for _ in range(min(TOGETHER, len(self.waiting)))]
                if not batch:
                    self.taking -= 1
                    return
            arrivals = [(w.receive, w.now) for w in batch]
            try:
                together = deliveries.ingest_together(self.database, arrivals)
            except Exception as exc:  # not expected: each delivery's failure is answered
                together = deliveries.Together([exc] * len(batch), alone=True)
            self._count(together)
            for waiting, result in zip(batch, together.answers, strict=True):
                answer = self._answer(waiting.provider, result)
                waiting.loop.call_soon_threadsafe(_settle, waiting.answer, answer)

    def _count(self, together: deliveries.Together) -> None:
        if not together.alone:
            self.metrics.webhook_transactions.observe(len(together.answers))
            return
        self.metrics.webhook_retried_alone.inc()
        for _ in together.answers:
            self.metrics.webhook_transactions.observe(1)

    def _answer(self, provider: str, result: Delivery | Exception) -> Answer:
        if isinstance(result, OperationalError):  # the database is down: retry later
            self.outage.failed(result)
            detail = {"detail": "the database is unavailable; please retry"}
            return Answer(503, detail, {"Retry-After": str(RETRY_AFTER_SECONDS)})
        if isinstance(result, Exception):
            log.error("could not store a %s webhook delivery", provider, exc_info=result)
            return Answer(500, {"detail": "the delivery could not be stored; please retry"})
        self.outage.recovered()
        return Answer(result.status_code, result.body)


def _settle(answer: asyncio.Future[Answer], value: Answer) -> None:
    if not answer.done():  # the sender went away meanwhile: nobody awaits it
        answer.set_result(value)
