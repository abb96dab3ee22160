"""The shared listening socket: connections accepted from it get TCP_NODELAY from asyncio."""

import asyncio
import socket

import pytest

from synqc_backend.http.listener import tcp_listener
from tests.live_server import free_port


class _NoDelayProbe(asyncio.Protocol):
    def __init__(self, seen: "asyncio.Future[int]") -> None:
        self.seen = seen

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        self.seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        transport.close()


async def _nodelay_of_an_accepted_connection(listener: socket.socket, port: int) -> int:
    loop = asyncio.get_running_loop()
    seen: asyncio.Future[int] = loop.create_future()
    server = await loop.create_server(lambda: _NoDelayProbe(seen), sock=listener)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        nodelay = await asyncio.wait_for(seen, timeout=10)
        writer.close()
    finally:
        server.close()
    return nodelay


def test_accepted_connections_have_nagle_switched_off() -> None:
    port = free_port()
    listener = tcp_listener("127.0.0.1", port)

    assert listener.proto == socket.IPPROTO_TCP
    assert asyncio.run(_nodelay_of_an_accepted_connection(listener, port)) != 0


def test_a_socket_bound_without_naming_tcp_leaves_nagle_on() -> None:
    """Why the listener names its protocol: the check above fails for uvicorn's own socket."""
    port = free_port()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()

    assert asyncio.run(_nodelay_of_an_accepted_connection(listener, port)) == 0


def test_a_taken_port_is_refused() -> None:
    port = free_port()
    first = tcp_listener("127.0.0.1", port)
    try:
        with pytest.raises(OSError, match="in use"):
            tcp_listener("127.0.0.1", port)
    finally:
        first.close()
