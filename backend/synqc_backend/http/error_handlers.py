"""Exception handlers: every error leaves the API in the contract's one envelope."""

import json
import logging
import re
from functools import partial
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synqc_backend.errors import ApiError, ErrorCode, error_envelope
from synqc_backend.logs import request_id_var
from synqc_backend.storage.availability import cannot_write, is_unreachable

log = logging.getLogger(__name__)

STORE_RETRY_AFTER_S = 5
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class EnvelopeResponse(JSONResponse):
    """The envelope as ASCII JSON: a request that echoes a lone surrogate (`"\\ud800"` is valid
    JSON but no UTF-8 text) into an error message gets it escaped, not a 500."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        return text.encode()


def install_error_handlers(app: FastAPI, api_prefix: str = "") -> None:
    """Every error in the envelope; `api_prefix` is where the app serves its routes again."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, partial(_http_error, api_prefix=api_prefix))
    app.add_exception_handler(DBAPIError, _store_error)


async def _api_error(_request: Request, exc: Exception) -> EnvelopeResponse:
    assert isinstance(exc, ApiError)
    return EnvelopeResponse(exc.envelope(), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> EnvelopeResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_plain_error(error) for error in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    body = error_envelope(
        ErrorCode.INVALID_REQUEST,
        f"invalid request: {where}: {first['msg']}"
        if where
        else f"invalid request: {first['msg']}",
        {"errors": errors},
        "fix the fields listed in error_detail.errors; /docs shows the schema",
    )
    return EnvelopeResponse(body, status_code=422)


async def _http_error(request: Request, exc: Exception, *, api_prefix: str) -> EnvelopeResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        code, hint = ErrorCode.NOT_FOUND, "check the path; /docs lists every route"
    elif exc.status_code >= 500:
        code, hint = ErrorCode.INTERNAL_ERROR, "try again; report it if it persists"
    elif exc.status_code == 400:
        # FastAPI's only 400: a body that is not JSON.
        code, hint = ErrorCode.INVALID_REQUEST, "send the body as UTF-8 JSON; /docs shows it"
    else:
        code, hint = ErrorCode.INVALID_REQUEST, "check the method and path; /docs lists them"
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request, api_prefix)
    body = error_envelope(code, str(exc.detail), {}, hint)
    return EnvelopeResponse(body, status_code=exc.status_code, headers=headers)


def _allowed_methods(request: Request, api_prefix: str) -> str:
    """The methods the schema documents for the resource the path names (under `api_prefix`
    too), else every method a route serves at the path (the console, the docs).

    Starlette's 405 names the first matching route's methods only, and `GET /runs` and
    `POST /runs` are two routes; every route's would offer GET on `/experiments/run`, which is
    `/experiments/{run_id}` with the id "run".
    """
    path: str = request.scope["path"]
    if api_prefix and path.startswith(api_prefix + "/"):
        path = path.removeprefix(api_prefix)
    documented = _documented_methods(request.app.openapi()["paths"], path)
    if documented:
        return ", ".join(documented)
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def _documented_methods(paths: dict[str, dict[str, Any]], path: str) -> list[str]:
    """The methods of the schema path that names `path`; a concrete path is matched before a
    templated one, as OpenAPI matches them."""
    named = [template for template in paths if re.fullmatch(_template_pattern(template), path)]
    if not named:
        return []
    template = min(named, key=lambda template: template.count("{"))
    return sorted(method.upper() for method in paths[template])


def _template_pattern(template: str) -> str:
    """`/runs/{run_id}` as the regex of the paths it names: a parameter is one segment."""
    parts = re.split(r"(\{[^}]*\})", template)
    return "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)


async def _store_error(request: Request, exc: Exception) -> EnvelopeResponse:
    """The store cannot be reached: 503 with a retry hint; any other database error is a bug."""
    assert isinstance(exc, DBAPIError)
    if isinstance(exc.orig, psycopg.DataError) and "NUL" in str(exc.orig):
        # A NUL byte in a path or query value: PostgreSQL text cannot hold one.
        body = error_envelope(
            ErrorCode.INVALID_REQUEST,
            "invalid request: a value contains a NUL character",
            {},
            "remove NUL (\\x00, %00) characters from the path and query",
        )
        return EnvelopeResponse(body, status_code=422)
    if is_unreachable(exc):
        message = "the run store is unreachable"
        hint = (
            "retry in a few seconds; if it persists, the operator should check the database "
            "(GET /health shows persistence.ok)"
        )
    elif cannot_write(exc):
        message = "the run store cannot take writes (its disk is full or read-only)"
        hint = "retry later; the operator should free disk space or make the store writable"
    else:
        raise exc  # UnexpectedErrorMiddleware answers 500 with the request id
    log.warning("store failed during %s %s: %s", request.method, request.url.path, exc.orig)
    body = error_envelope(
        ErrorCode.STORE_UNAVAILABLE, message, {"retry_after_s": STORE_RETRY_AFTER_S}, hint
    )
    headers = {"Retry-After": str(STORE_RETRY_AFTER_S)}
    return EnvelopeResponse(body, status_code=503, headers=headers)


class UnexpectedErrorMiddleware:
    """Innermost layer: an unhandled exception becomes a 500 envelope naming the request id.

    It runs inside the request-id and CORS layers, so the id is still known, is logged with the
    error, and the response carries `X-Request-Id` and CORS headers like any other.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            request_id = request_id_var.get()
            log.error("unhandled error", exc_info=error)
            if started:
                raise
            body = error_envelope(
                ErrorCode.INTERNAL_ERROR,
                "internal error",
                {"request_id": request_id},
                "report the request id; the error was logged with it",
            )
            await EnvelopeResponse(body, status_code=500)(scope, receive, send)


def _plain_error(error: Any) -> dict[str, Any]:
    """A validation error reduced to JSON-safe fields (pydantic may attach exception objects)."""
    return {
        "loc": [part if isinstance(part, int | str) else str(part) for part in error["loc"]],
        "msg": str(error["msg"]),
        "type": str(error["type"]),
    }
