"""The listening socket that `synqc serve --workers N` shares between its API processes.

uvicorn's own multi-process path binds its socket with `proto` 0; accepted connections inherit
it, and asyncio enables `TCP_NODELAY` only on sockets that say `IPPROTO_TCP`. Without it every
keep-alive request after the first waits ~40 ms for the client's delayed ACK (uvicorn issue
#3149). This socket names its protocol, so each API process's connections get `TCP_NODELAY`.
"""

import socket

BACKLOG = 2048


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound, inheritable TCP socket for `host:port` (IPv6 when the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock
