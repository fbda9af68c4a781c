"""A minimal HTTP/1.1 keep-alive client for load generation: on a 2-core machine the client
shares the cores with the server, so it must cost far less than what it measures (httpx takes
about 2.5 ms of CPU per request here, as much as a whole trivial request of the server)."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit


class Connection:
    """One keep-alive connection; `post` sends a request and reads its whole answer."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path + (f"?{parts.query}" if parts.query else "")
        fixed = {"Host": f"{self.host}:{self.port}", **headers}
        self.head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """A kept connection the server has closed meanwhile (idle too long) is opened again
        once: nothing was read from it, so the request never reached the server."""
        if self.writer is not None:
            try:
                return await self._exchange(body)
            except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
                if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                    raise
                await self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return await self._exchange(body)

    async def _exchange(self, body: bytes) -> tuple[int, bytes]:
        assert self.reader is not None
        assert self.writer is not None
        request = f"POST {self.path} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(request.encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        fields = dict(line.split(":", 1) for line in lines if ":" in line)
        length = int(next((v for k, v in fields.items() if k.lower() == "content-length"), 0))
        answer = await self.reader.readexactly(length)
        if any(k.lower() == "connection" and "close" in v.lower() for k, v in fields.items()):
            await self.close()
        return int(status_line.split()[1]), answer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None
