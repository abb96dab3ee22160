"""How `synqc serve` runs uvicorn: connection limits and slow-client timeouts.

- Headers: a connection that has not sent a whole request head within
  `SYNQC_REQUEST_HEADER_TIMEOUT_SECONDS` is closed (uvicorn itself only times out idle
  keep-alive connections, so a client trickling header bytes would hold a slot forever).
- Bodies: `BodySizeLimitMiddleware` answers 408 to a body slower than
  `SYNQC_REQUEST_BODY_TIMEOUT_SECONDS`.
- Idle keep-alive connections close after `KEEP_ALIVE_S`; above `SYNQC_MAX_CONNECTIONS`
  connections or tasks uvicorn answers 503; a request head still unfinished after
  `MAX_HEAD_BYTES` is refused (h11 buffers no more of it).
- A request that is not valid HTTP (a head too large, a malformed header) gets 400
  `INVALID_REQUEST` in the API's error envelope, not uvicorn's plain text.
"""

import asyncio
import json
from functools import cache
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from synqc_backend.config import Settings
from synqc_backend.errors import ErrorCode, error_envelope
from synqc_backend.http.listener import tcp_listener
from synqc_backend.logs import log_config

APP_IMPORT_PATH = "synqc_backend.api:app"
KEEP_ALIVE_S = 5
# uvicorn's supervisor kills a process that does not answer its ping within this time, a
# starting one included. Its default, 5 s, is shorter than an API process takes to import
# Qiskit and start on a busy 2-core host: the processes were killed and restarted in a loop.
WORKER_HEALTHCHECK_TIMEOUT_S = 60
MAX_HEAD_BYTES = 16 * 1024


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head is too slow to arrive.

    It also answers a request that is not valid HTTP with the API's error envelope.
    """

    header_timeout_s = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        body = json.dumps(
            error_envelope(
                ErrorCode.INVALID_REQUEST,
                f"not a valid HTTP request: {msg}",
                {"max_head_bytes": MAX_HEAD_BYTES},
                "send a well-formed HTTP/1.1 request whose head (request line and headers) "
                f"is at most {MAX_HEAD_BYTES} bytes",
            )
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(body)),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            if output := self.conn.send(event):
                self.transport.write(output)
        self.transport.close()

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.info(
                "closing a connection: no request head within %g s", self.header_timeout_s
            )
            self.transport.close()


def protocol_for(settings: Settings) -> type[HeaderTimeoutProtocol]:
    """The protocol class with this server's header timeout."""
    return type(
        "SynqcHttpProtocol",
        (HeaderTimeoutProtocol,),
        {"header_timeout_s": settings.request_header_timeout_seconds},
    )


class EnvironmentProtocol(HeaderTimeoutProtocol):
    """The protocol of each process of `synqc serve --workers N`.

    Those processes start afresh and build their app from the environment's settings; uvicorn
    hands them the protocol by import path, so the header timeout comes from there too.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.header_timeout_s = _environment_header_timeout_s()
        super().connection_made(transport)


@cache
def _environment_header_timeout_s() -> float:
    return Settings().request_header_timeout_seconds


def uvicorn_config(app: FastAPI, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """uvicorn's settings for `synqc serve` in one process."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(settings),
        **_limits(settings),
    )


def serve_processes(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve `synqc_backend.api:app` from `workers` processes sharing one listening socket.

    uvicorn's supervisor restarts a process that dies; the socket is ours (`tcp_listener`) so
    that every connection gets `TCP_NODELAY`.
    """
    config = uvicorn.Config(
        APP_IMPORT_PATH,
        workers=workers,
        http=f"{__name__}:{EnvironmentProtocol.__name__}",
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT_S,
        **_limits(settings),
    )
    Multiprocess(config, sockets=[tcp_listener(host, port)]).run()


def _limits(settings: Settings) -> dict[str, Any]:
    return {
        "log_config": log_config(),
        "timeout_keep_alive": KEEP_ALIVE_S,
        "limit_concurrency": settings.max_connections,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }
