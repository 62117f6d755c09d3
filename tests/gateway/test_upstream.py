"""The gateway's hop to a worker, against a scripted peer on 127.0.0.1 that answers with exact
bytes, including answers Werkzeug never gives."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest

from catalyst_local.gateway import upstream

Peer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _with_peer(peer: Peer, call: Callable[[int], Awaitable[object]]) -> object:
    server = await asyncio.start_server(peer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        return await asyncio.wait_for(call(port), 10)
    finally:
        server.close()
        await server.wait_closed()


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def _answering(answer: bytes, *, read_body: int = 0) -> Peer:
    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        if read_body:
            await reader.readexactly(read_body)
        writer.write(answer)
        await writer.drain()
        writer.close()
    return peer


async def _fetch(port: int, method: str = "GET") -> tuple[int, list, bytes]:
    response = await upstream.exchange(port, method, "/", [("host", "worker")], None)
    try:
        body = b"".join([chunk async for chunk in response.body()])
    finally:
        response.close()
    return response.status_code, response.raw_headers, body


def test_a_length_delimited_answer_is_read_whole():
    peer = _answering(b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Kept: yes\r\n\r\nhello")
    status, headers, body = asyncio.run(_with_peer(peer, _fetch))
    assert (status, body) == (201, b"hello")
    assert (b"X-Kept", b"yes") in headers


def test_a_chunked_answer_arrives_without_its_framing():
    peer = _answering(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    _, _, body = asyncio.run(_with_peer(peer, _fetch))
    assert body == b"abcde"


def test_an_answer_with_neither_length_nor_chunks_ends_when_the_worker_closes():
    peer = _answering(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close")
    _, _, body = asyncio.run(_with_peer(peer, _fetch))
    assert body == b"until close"


def test_an_answer_cut_short_of_its_length_is_a_hang_up_not_a_short_body():
    peer = _answering(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
    with pytest.raises(upstream.WorkerHungUp):
        asyncio.run(_with_peer(peer, _fetch))


def test_a_worker_that_closes_without_answering_hung_up():
    with pytest.raises(upstream.WorkerHungUp):
        asyncio.run(_with_peer(_answering(b""), _fetch))


def test_an_answer_that_is_not_http_is_a_hang_up():
    with pytest.raises(upstream.WorkerHungUp, match="not valid HTTP"):
        asyncio.run(_with_peer(_answering(b"SSH-2.0-OpenSSH\r\n\r\n"), _fetch))


def test_a_port_nobody_listens_on_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(upstream.WorkerUnreachable):
        asyncio.run(_fetch(port))


def test_an_interim_answer_is_skipped_for_the_final_one():
    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.2)  # the interim answer arrives on its own
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    status, _, body = asyncio.run(_with_peer(peer, _fetch))
    assert (status, body) == (200, b"ok")


@pytest.mark.parametrize("method, answer", [
    ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"),
    ("GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n"),
])
def test_answers_that_have_no_body_end_at_their_headers(method, answer):
    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        writer.write(answer)
        await writer.drain()
        await asyncio.sleep(5)  # keeps the connection open: the end must come from the head
        writer.close()

    _, headers, body = asyncio.run(_with_peer(peer, lambda port: _fetch(port, method)))
    assert body == b""
    assert (b"Content-Length", b"1234") in headers


def _sent_chunked(chunks: list[bytes]) -> tuple[bytes, bytes]:
    """What a peer received for a chunked POST of `chunks`: the head and the framed body."""
    seen: list[bytes] = []

    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await _read_head(reader))
        seen.append(await reader.readuntil(b"0\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def body():
        for chunk in chunks:
            yield chunk

    async def call(port: int) -> int:
        response = await upstream.exchange(port, "POST", "/up", [("host", "w")], body(),
                                           chunked=True)
        response.close()
        return response.status_code

    assert asyncio.run(_with_peer(peer, call)) == 200
    head, framed = seen
    return head, framed


def test_a_body_of_unknown_length_is_sent_in_chunks():
    head, framed = _sent_chunked([b"abc", b"defgh"])
    assert head.startswith(b"POST /up HTTP/1.1\r\n")
    assert b"\r\nTransfer-Encoding: chunked\r\n" in head
    assert framed == b"3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"


def test_an_early_answer_is_kept_when_the_worker_stops_reading_the_body():
    async def body():
        for _ in range(64):
            yield b"x" * 1024 * 1024
            await asyncio.sleep(0)

    peer = _answering(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 6\r\n\r\ndenied")

    async def call(port: int) -> tuple[int, bytes]:
        response = await upstream.exchange(port, "POST", "/", [("host", "w"),
                                           ("content-length", str(64 * 1024 * 1024))], body())
        try:
            return response.status_code, b"".join([c async for c in response.body()])
        finally:
            response.close()

    assert asyncio.run(_with_peer(peer, call)) == (401, b"denied")


def test_a_body_that_fails_mid_way_cuts_the_connection():
    ended: list[bytes] = []

    async def peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        ended.append(await reader.read(-1))  # everything until the gateway's side goes away
        writer.close()

    class CallerLeft(Exception):
        pass

    async def body():
        yield b"part"
        raise CallerLeft()

    async def call(port: int) -> None:
        with pytest.raises(CallerLeft):
            await upstream.exchange(port, "POST", "/", [("host", "w"),
                                                        ("content-length", "100")], body())
        for _ in range(100):
            if ended:
                return
            await asyncio.sleep(0.02)

    asyncio.run(_with_peer(peer, call))
    assert ended == [b"part"]


def test_an_answer_with_oversized_headers_is_refused():
    filler = b"X-Filler: " + b"f" * (upstream.MAX_HEADER_BYTES + 1) + b"\r\n"
    peer = _answering(b"HTTP/1.1 200 OK\r\n" + filler + b"Content-Length: 2\r\n\r\nok")
    with pytest.raises(upstream.WorkerHungUp, match="bytes of headers"):
        asyncio.run(_with_peer(peer, _fetch))


def test_an_empty_chunk_does_not_end_a_chunked_body():
    _, framed = _sent_chunked([b"abc", b"", b"def"])
    assert framed == b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"
