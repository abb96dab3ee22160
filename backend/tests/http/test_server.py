"""`synqc serve` against slow clients: a trickled request head or body does not hold a slot."""

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.live_server import LiveServer, live_server, server_env

pytestmark = pytest.mark.slow
TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("slow-clients")
    env = server_env(
        workdir / "synqc.db",
        SYNQC_REQUEST_HEADER_TIMEOUT_SECONDS=str(TIMEOUT_S),
        SYNQC_REQUEST_BODY_TIMEOUT_SECONDS=str(TIMEOUT_S),
    )
    with live_server(workdir, env) as running:
        yield running


def connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def closed_after(connection: socket.socket) -> float:
    """Seconds until the server closes the connection (reads until EOF)."""
    started = time.monotonic()
    while connection.recv(4096):
        pass
    return time.monotonic() - started


def test_a_connection_that_sends_nothing_is_closed(server: LiveServer) -> None:
    with connect(server) as connection:
        assert closed_after(connection) < TIMEOUT_S + 2


def test_a_request_head_trickled_byte_by_byte_is_cut_off(server: LiveServer) -> None:
    started = time.monotonic()
    with connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(40):
                connection.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        closed_after(connection)
    assert time.monotonic() - started < TIMEOUT_S + 2


def test_a_body_slower_than_the_limit_is_a_408(server: LiveServer) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"preset": '
        )
        reply = b""
        while chunk := connection.recv(4096):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert json.loads(body)["detail"]["code"] == "TIMEOUT"


def test_ordinary_requests_are_unaffected(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        codes = [client.get("/health").status_code for _ in range(3)]
        time.sleep(TIMEOUT_S + 0.5)  # idle keep-alive within KEEP_ALIVE_S
        codes.append(client.get("/health").status_code)
    assert codes == [200] * 4


def response_to(server: LiveServer, raw_request: bytes) -> httpx.Response:
    """The server's answer to bytes sent as they are on a fresh connection."""
    with connect(server) as connection:
        connection.sendall(raw_request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body)


@pytest.mark.parametrize(
    "raw_request",
    [
        b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        # A head still unfinished past the limit: uvicorn stops buffering it.
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000,
    ],
    ids=["malformed-header", "head-too-large"],
)
def test_a_request_that_is_not_http_gets_the_error_envelope(
    server: LiveServer, raw_request: bytes
) -> None:
    response = response_to(server, raw_request)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert detail["error_code"] == "INVALID_REQUEST"
    assert detail["action_hint"]
