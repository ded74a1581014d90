"""A TCP proxy that a test can cut, stall and restore: an outage of PostgreSQL or Redis without
touching the machine's shared servers (issue 10).

    proxy = TcpProxy("127.0.0.1", 5432)
    await proxy.start()          # listens on 127.0.0.1:<proxy.port>, forwards to the target
    await proxy.cut()            # listener closed, every connection reset: "connection refused"
    await proxy.restore()        # listening again on the same port
    await proxy.stall()          # accepts, but nothing goes through either way: a dead network
    await proxy.close()

It runs on the test's event loop, beside the app under test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Final

from sqlalchemy.engine import make_url

__all__ = ["TcpProxy", "proxied"]

_CHUNK: Final = 65536


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stalled = False
        self.port = 0

    async def start(self) -> None:
        """Listen (on a free port the first time, on the same port afterwards)."""
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Stop listening and reset every connection: the service is gone."""
        if self._server is not None:
            self._server.close()
        self._drop_connections()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        self._stalled = False

    async def restore(self) -> None:
        """Forward again, on the same port; connections held by ``stall`` are reset."""
        self._stalled = False
        self._drop_connections()
        if self._server is None:
            await self.start()

    async def stall(self) -> None:
        """Keep accepting, forward nothing: connections open and then hang, as they do when
        a network drops packets without a word."""
        self._stalled = True
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        await self.cut()

    def _drop_connections(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if self._stalled:
                while await reader.read(_CHUNK):  # swallow everything, answer nothing
                    pass
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
            self._writers.add(upstream_writer)
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        except (OSError, asyncio.CancelledError):
            writer.transport.abort()
        finally:
            self._tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(_CHUNK):
                if self._stalled:
                    continue  # a stalled link loses what is sent from now on
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(OSError):
                writer.close()


@contextlib.asynccontextmanager
async def proxied(url: str, default_port: int) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A started proxy in front of the server ``url`` names, and the same URL through it."""
    target = make_url(url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or default_port)
    await proxy.start()
    try:
        yield (
            proxy,
            target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )
    finally:
        await proxy.close()
