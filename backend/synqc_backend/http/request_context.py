"""Per-request context: the request id (echoed, logged) and the request-body size limit."""

import asyncio
import json
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synqc_backend.errors import ErrorCode, error_envelope
from synqc_backend.logs import request_id_var

REQUEST_ID_HEADER = b"x-request-id"


class RequestIdMiddleware:
    """Takes `X-Request-Id` from the request (or makes one) and echoes it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        request_id = given[:128] if given and given.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Answers 413 `PAYLOAD_TOO_LARGE` to a body above `max_bytes`, declared or streamed, and
    408 `TIMEOUT` to a body that takes longer than `timeout_s` to arrive (a slow client).

    The body is read (at most `max_bytes` + one chunk) before the app runs, then replayed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 10.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send)
            return
        messages: list[Message] = []
        size = 0
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except TimeoutError:
                await _respond(send, 408, self._timeout_body())
                return
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._reject(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        body = error_envelope(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"request body is larger than {self.max_bytes} bytes",
            {"max_bytes": self.max_bytes},
            "send a smaller body",
        )
        await _respond(send, 413, body)

    def _timeout_body(self) -> dict[str, Any]:
        return error_envelope(
            ErrorCode.TIMEOUT,
            f"the request body did not arrive within {self.timeout_s:g} s",
            {"timeout_s": self.timeout_s},
            "send the whole body at once; the connection is closed",
        )


async def _respond(send: Send, status: int, envelope: dict[str, Any]) -> None:
    body = json.dumps(envelope).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if status == 408:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
