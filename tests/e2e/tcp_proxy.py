"""A TCP proxy owned by a test, to cut a process off from a server (e.g. PostgreSQL) at will.

The proxy listens on 127.0.0.1 (random port) and pipes every connection to the upstream
address. ``cut()`` closes every open connection with a reset and turns each new one away the
same way, as a server that went down would; ``restore()`` lets connections through again.
Connections turned away are counted, and ``wait_refused`` wakes on each of them, so a test
can wait for the client's retries instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from types import TracebackType

_CHUNK = 65536


class TcpProxy:
    """``async with TcpProxy(host, port) as proxy:`` -- then connect to ``proxy.port``."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.cut_off = False
        self.accepted = 0  # connections piped to the upstream
        self.refused = 0  # connections turned away while cut
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._changed = asyncio.Condition()

    @property
    def port(self) -> int:
        assert self._server is not None, "proxy not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        self._reset_all()
        # Reset connections end their pipes by themselves (cancelling the handler tasks
        # instead would make asyncio log them as errors).
        if self._links:
            await asyncio.wait(set(self._links), timeout=10.0)
        await self._server.wait_closed()

    def cut(self) -> None:
        """Reset every open connection and turn new ones away until ``restore()``."""
        self.cut_off = True
        self._reset_all()

    def restore(self) -> None:
        """Let connections through again."""
        self.cut_off = False

    async def wait_refused(self, count: int, timeout: float) -> None:
        """Wait until ``count`` connections in all have been turned away."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.refused >= count), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            self.refused += 1
            _reset(writer)
            await self._notify()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(writer)
            return
        self.accepted += 1
        self._writers.update((writer, up_writer))
        task = asyncio.current_task()
        assert task is not None
        self._links.add(task)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._links.discard(task)
            for end in (writer, up_writer):
                self._writers.discard(end)
                end.close()

    def _reset_all(self) -> None:
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST instead of FIN: the peer sees a broken connection, as after a crash."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError, asyncio.IncompleteReadError):
        while data := await source.read(_CHUNK):
            sink.write(data)
            await sink.drain()
    with contextlib.suppress(ConnectionError, OSError, RuntimeError):
        if sink.can_write_eof():
            sink.write_eof()
