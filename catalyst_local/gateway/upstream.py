"""The gateway's hop to a function's worker: one HTTP/1.1 exchange on its own connection.

The worker serves with Werkzeug's server, as `catalyst serve` does, and that server closes
every connection after one answer, so there is no pool to keep: each call connects, sends its
head and body, and reads one response. httptools (the parser uvicorn uses) reads the answer;
what is left is the framing of one request, kept here because a general client spent about
0.8 ms of the gateway's time per call on pooling, cookies and redirects it never needed.

Both directions stream. The request body is written as the caller sends it, waiting whenever
the socket's buffer is full; the response body is read only as fast as the caller takes it
(reading pauses above HIGH_WATER_BYTES held).
"""

from __future__ import annotations

import asyncio
import collections
import typing
from collections.abc import AsyncIterator, Iterable

import httptools

HIGH_WATER_BYTES = 256 * 1024
# An answer whose headers are bigger than this is refused (502), as proxies refuse them.
MAX_HEADER_BYTES = 64 * 1024
# Statuses whose answer never has a body (RFC 9110 §6.4.1).
_NO_BODY_STATUSES = frozenset({204, 304})


class WorkerUnreachable(Exception):
    """The worker's port refused the connection: it is not running."""


class WorkerHungUp(Exception):
    """The worker closed the connection before it had answered in full."""


class UpstreamResponse:
    """A worker's answer: status and raw headers at once, the body as it arrives."""

    def __init__(self, exchange: _Exchange):
        self._exchange = exchange
        self.status_code = exchange.status
        self.raw_headers = exchange.headers

    async def body(self) -> AsyncIterator[bytes]:
        """The body's bytes, with any chunked transfer coding removed."""
        exchange = self._exchange
        while True:
            while exchange.chunks:
                chunk = exchange.chunks.popleft()
                exchange.held -= len(chunk)
                if exchange.reading_paused and exchange.held < HIGH_WATER_BYTES:
                    exchange.resume_reading()
                yield chunk
            if exchange.complete:
                return
            if exchange.closed:
                raise WorkerHungUp("the connection closed in the middle of the answer")
            exchange.more.clear()
            await exchange.more.wait()

    def close(self) -> None:
        self._exchange.close()


async def exchange(port: int, method: str, target: str, headers: Iterable[tuple[str, str]],
                   body: AsyncIterator[bytes] | None, *,
                   chunked: bool = False) -> UpstreamResponse:
    """Sends one request to the worker on 127.0.0.1:`port` and returns once its answer's
    headers have arrived.

    `headers` must carry Content-Length when `body` is given and `chunked` is off; with
    `chunked` on, the body is sent with chunked transfer coding. Any error, and cancellation,
    closes the connection: the worker then sees a request cut short, never a wrong one.
    """
    loop = asyncio.get_running_loop()
    try:
        transport, exchange = await loop.create_connection(
            lambda: _Exchange(head_only=method == "HEAD"), "127.0.0.1", port)
    except OSError as exc:
        raise WorkerUnreachable(str(exc)) from None
    try:
        transport.write(_head(method, target, headers, chunked))
        if body is not None:
            await _send_body(exchange, body, chunked)
        await exchange.headers_done.wait()
        if exchange.status is None:
            raise WorkerHungUp(exchange.failure or "the connection closed before an answer")
    except BaseException:
        exchange.close()
        raise
    return UpstreamResponse(exchange)


def _head(method: str, target: str, headers: Iterable[tuple[str, str]], chunked: bool) -> bytes:
    lines = [f"{method} {target} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send_body(exchange: _Exchange, body: AsyncIterator[bytes], chunked: bool) -> None:
    async for chunk in body:
        if exchange.closed:
            # The worker answered early and hung up. Werkzeug's answer is then already read;
            # a peer that resets the connection instead may lose it (a 502 then).
            return
        if not chunk:
            continue  # an empty chunk would end a chunked body
        if chunked:
            exchange.transport.writelines([b"%x\r\n" % len(chunk), chunk, b"\r\n"])
        else:
            exchange.transport.write(chunk)
        await exchange.writable()
    if chunked and not exchange.closed:
        exchange.transport.write(b"0\r\n\r\n")


class _Exchange(asyncio.Protocol):
    """The connection's state, fed by the event loop and httptools' callbacks."""

    def __init__(self, *, head_only: bool):
        self._head_only = head_only
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self._header_bytes = 0
        self.headers_done = asyncio.Event()
        self.chunks: collections.deque[bytes] = collections.deque()
        self.held = 0
        self.more = asyncio.Event()
        self.complete = False
        self.closed = False
        self.failure: str | None = None
        self.reading_paused = False
        self._ends_at_close = False
        self._can_write = asyncio.Event()
        self._can_write.set()

    # -- the event loop's side ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = typing.cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.complete or self.failure:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.failure = f"the worker's answer is not valid HTTP ({exc})"
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._ends_at_close and exc is None:
            self.complete = True
        self.closed = True
        self._can_write.set()
        self.headers_done.set()
        self.more.set()

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    # -- httptools' side ---------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES:
            self.failure = f"the worker's answer has over {MAX_HEADER_BYTES} bytes of headers"
            self.close()
            return
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.failure:
            return  # refused mid-headers: the connection is closing
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            # An interim answer (the request asked for none): the final one follows.
            self.headers, self._header_bytes = [], 0
            return
        self.status = status
        self.headers_done.set()
        if self._head_only or status in _NO_BODY_STATUSES:
            self.on_message_complete()
            return
        names = {name.lower() for name, _ in self.headers}
        # Neither a length nor chunks: the body is whatever arrives before the worker closes.
        self._ends_at_close = b"content-length" not in names and b"transfer-encoding" not in names

    def on_body(self, body: bytes) -> None:
        if self.failure:
            return
        self.chunks.append(body)
        self.held += len(body)
        if self.held >= HIGH_WATER_BYTES and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        self.more.set()

    def on_message_complete(self) -> None:
        if self.status is None:
            return
        self.complete = True
        self.more.set()

    # -- the gateway's side ------------------------------------------------------------------

    async def writable(self) -> None:
        await self._can_write.wait()

    def resume_reading(self) -> None:
        self.reading_paused = False
        if not self.closed:
            self.transport.resume_reading()

    def close(self) -> None:
        """Ends the connection; an answer not read in full is cut off (abort, not close)."""
        if self.closed:
            return
        if self.complete:
            self.transport.close()
        else:
            self.transport.abort()
