"""The rate limit at the HTTP edge: 429 `RATE_LIMITED` with `Retry-After` once a bucket is full.

Every request counts against its client address; one that presents a configured API key also
counts against that key (by fingerprint, so random keys cannot mint buckets). `/health` is not
counted: load balancers and probes poll it, and it is cheap by contract.
"""

import json
from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from synqc_backend.errors import ErrorCode, error_envelope
from synqc_backend.http import api_keys
from synqc_backend.limits.rate_limit import RateDecision, RateLimiter

UNCOUNTED_PATHS = frozenset({"/health", "/api/health"})
SCOPE_NAMES = {"addr": "client address", "key": "API key"}


class RateLimitMiddleware:
    """Counts each request before the app reads its body; the limiter comes from the services."""

    def __init__(self, app: ASGIApp, api_key: Sequence[str]) -> None:
        self.app = app
        self.api_key = tuple(api_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = _limiter(scope)
        if scope["type"] != "http" or limiter is None or scope["path"] in UNCOUNTED_PATHS:
            await self.app(scope, receive, send)
            return
        decision = await run_in_threadpool(limiter.hit, self._buckets(scope))
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        await _refuse(send, decision, limiter.limit)

    def _buckets(self, scope: Scope) -> list[str]:
        client = scope.get("client")
        buckets = [f"addr:{client[0] if client else 'unknown'}"]
        headers = dict(scope["headers"])
        key = api_keys.presented_key(
            headers.get(b"x-api-key", b"").decode("latin-1") or None,
            headers.get(b"authorization", b"").decode("latin-1") or None,
        )
        if key is not None and api_keys.key_matches(self.api_key, key):
            buckets.append(f"key:{api_keys.fingerprint(key)}")
        return buckets


def _limiter(scope: Scope) -> RateLimiter | None:
    """The running app's limiter; None before start-up or when limits are off."""
    services = getattr(scope["app"].state, "services", None) if "app" in scope else None
    limiter: RateLimiter | None = getattr(services, "rate_limiter", None)
    return limiter


async def _refuse(send: Send, decision: RateDecision, limit: int) -> None:
    scope_name = SCOPE_NAMES[(decision.bucket or "addr").split(":", 1)[0]]
    body = json.dumps(
        error_envelope(
            ErrorCode.RATE_LIMITED,
            f"more than {limit} requests a minute from this {scope_name}",
            {
                "limit_per_minute": limit,
                "scope": scope_name,
                "retry_after_s": decision.retry_after_s,
            },
            f"wait {decision.retry_after_s} s (Retry-After) before the next request",
        )
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        (b"retry-after", b"%d" % decision.retry_after_s),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
