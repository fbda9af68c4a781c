"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from alertdesk.runtime import Runtime

router = APIRouter(tags=["health"])


class HttpMetrics:
    """Request counts and latencies per handler (never the raw path, to bound cardinality)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "alertdesk_http_requests_total",
            "HTTP requests handled",
            ["method", "handler", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "alertdesk_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "handler"],
            registry=self.registry,
        )

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        handler = _handler_name(request.scope.get("endpoint"))
        self.requests.labels(request.method, handler, str(response.status_code)).inc()
        self.latency.labels(request.method, handler).observe(time.perf_counter() - started)
        return response


def _handler_name(endpoint: object) -> str:
    """`api.tickets.create_ticket` for our endpoints; `unmatched` for 404s, `static` etc."""
    if endpoint is None:
        return "unmatched"
    module = getattr(endpoint, "__module__", "").removeprefix("alertdesk.web.")
    return f"{module}.{getattr(endpoint, '__name__', type(endpoint).__name__)}"


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    if runtime.database.is_ready():
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "database unavailable"}, status_code=503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
