"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        self.webhook_transactions = Histogram(
            "alertdesk_webhook_deliveries_per_transaction",
            "Webhook deliveries processed in one database transaction (more than one when they "
            "arrived while the database threads were busy)",
            buckets=(1, 2, 4, 8, 16),
            registry=self.registry,
        )
        self.webhook_retried_alone = Counter(
            "alertdesk_webhook_retried_alone",
            "Transactions of webhook deliveries taken together that failed (a failing delivery, "
            "a deadlock), after which each delivery was processed on its own",
            registry=self.registry,
        )


class MeteredApp:
    """Pure ASGI middleware that counts every HTTP request in `HttpMetrics` (lighter than
    Starlette's BaseHTTPMiddleware, which costs a task and a stream per request)."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:  # the router has put the endpoint into the (shared) scope by now
            handler, method = _handler_name(scope.get("endpoint")), scope["method"]
            self.metrics.requests.labels(method, handler, str(status[0])).inc()
            self.metrics.latency.labels(method, handler).observe(time.perf_counter() - started)


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
