"""Serve a fake vendor (an httpx handler) on a real local port, for tests, benchmarks and the
demo that run the real `alertdesk serve` in another process. Loopback only: 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


def _bridge(handler: Handler) -> type[BaseHTTPRequestHandler]:
    class Bridge(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = httpx.Request(
                self.command,
                f"http://{self.headers.get('host')}{self.path}",
                headers=dict(self.headers.items()),
                content=self.rfile.read(length),
            )
            response = handler(request)
            body = response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _relay  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the fakes record requests themselves."""

    return Bridge


@contextmanager
def serving(handler: Handler) -> Iterator[str]:
    """Run `handler` on 127.0.0.1 in a thread; yields its base URL; stops on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _bridge(handler))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
