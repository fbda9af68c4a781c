"""POST /webhooks/{provider}/{integration_id}: authenticate, process and store — in one
transaction (a delivery whose processing fails is stored on its own for the retry, 202); the
answer is sent after the commit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from alertdesk.core.webhook_auth import authenticate
from alertdesk.runtime import Runtime
from alertdesk.services.integrations import deliveries, inbound
from alertdesk.services.integrations.inbound import Delivery
from alertdesk.storage.database import POOL_OVERFLOW, POOL_SIZE
from alertdesk.web.deps import runtime_of
from alertdesk.web.outage import RETRY_AFTER_SECONDS, OutageLog

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])
MAX_BODY = 1024 * 1024
# deliveries are processed on threads of their own: a plain executor hand-off costs a fraction
# of anyio's thread pool (its cancel scope and capacity limiter per call); as many threads as
# the database pool has connections, so no thread waits for one
_THREADS = ThreadPoolExecutor(POOL_SIZE + POOL_OVERFLOW, thread_name_prefix="webhook")


def _answer(status: int, **body: object) -> JSONResponse:
    return JSONResponse(body, status_code=status)


async def _read_limited(request: Request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY (checked while reading)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/webhooks/{provider}/{integration_id}")
async def receive(provider: str, integration_id: str, request: Request) -> JSONResponse:
    body = await _read_limited(request)
    if body is None:
        return _answer(413, detail=f"body larger than {MAX_BODY} bytes")
    try:
        integration_uuid = uuid.UUID(integration_id)
    except ValueError:
        return _answer(404, detail="unknown integration")
    headers = {k.lower(): v for k, v in request.headers.items()}
    token = request.query_params.get("token")
    runtime, outage = runtime_of(request), request.app.state.outage
    return await asyncio.get_running_loop().run_in_executor(
        _THREADS, _ingest, runtime, outage, provider, integration_uuid, headers, token, body
    )


def _ingest(
    runtime: Runtime,
    outage: OutageLog,
    provider: str,
    integration_id: uuid.UUID,
    headers: dict[str, str],
    token: str | None,
    body: bytes,
) -> JSONResponse:
    now, vendor = runtime.now(), runtime.vendor

    def receive(session: Session) -> deliveries.Received | Delivery:
        integration = inbound.find_active_integration(session, provider, integration_id)
        if integration is None or integration.webhook_secret_encrypted is None:
            return Delivery(404, {"detail": "unknown or disconnected integration"})
        secret = vendor.vault.decrypt(integration.webhook_secret_encrypted)
        method = authenticate(secret, headers, token, body)
        if method is None:
            return Delivery(401, {"detail": "missing or wrong webhook secret"})
        received = inbound.received(integration, body, headers.get("content-type"), method, now)
        return integration, received

    try:
        delivery = deliveries.ingest(runtime.database, receive, now)
    except OperationalError as exc:  # the database is down: the vendor should retry later
        outage.failed(exc)
        return JSONResponse(
            {"detail": "the database is unavailable; please retry"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    except Exception:
        log.exception("could not store a %s webhook delivery", provider)
        return _answer(500, detail="the delivery could not be stored; please retry")
    outage.recovered()
    return _answer(delivery.status_code, **delivery.body)
