"""How provider targets wait: poll intervals with exponential backoff and retries with jitter.

- Polls come 1 s, 2 s, 4 s, … apart, capped at 30 s, until the job is final or the deadline
  passes.
- A provider call that fails with HTTP 429 or 5xx is retried after a random pause of up to
  1 s, 2 s, 4 s, … (capped at 30 s, "full jitter"), at most `retries` times.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

FIRST_POLL_S = 1.0
MAX_POLL_S = 30.0
RETRIES = 5


@dataclass(frozen=True)
class Pacing:
    """Clock, sleep and randomness of the waiting loop, with its intervals (seconds)."""

    first_poll_s: float = FIRST_POLL_S
    max_poll_s: float = MAX_POLL_S
    retries: int = RETRIES
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    uniform: Callable[[float, float], float] = field(default=random.uniform)

    def poll_delays(self) -> Iterator[float]:
        """1, 2, 4, … seconds, never more than `max_poll_s`, without end."""
        delay = self.first_poll_s
        while True:
            yield delay
            delay = min(delay * 2, self.max_poll_s)

    def retry_pause(self, attempt: int) -> float:
        """The jittered pause before retry number `attempt` (0-based)."""
        return self.uniform(0.0, min(self.first_poll_s * 2**attempt, self.max_poll_s))

    def call[T](self, operation: Callable[[], T]) -> T:
        """`operation()`, retried on HTTP 429 and 5xx errors."""
        for attempt in range(self.retries):
            try:
                return operation()
            except Exception as error:
                if not is_retryable(error):
                    raise
                self.sleep(self.retry_pause(attempt))
        return operation()


IN_PROCESS = Pacing(first_poll_s=0.05, max_poll_s=1.0)
"""Pacing for simulators that run in this process: there is no provider to spare."""


def is_retryable(error: BaseException) -> bool:
    """True for a rate limit (429) or a server-side error (5xx) of any provider SDK."""
    status = http_status(error)
    return status is not None and (status == 429 or 500 <= status < 600)


def http_status(error: BaseException) -> int | None:
    """The HTTP status an SDK error carries, wherever that SDK keeps it; None if none."""
    for candidate in (error, error.__cause__, error.__context__):
        if candidate is None:
            continue
        status = _status_of(candidate)
        if status is not None:
            return status
    return None


def _status_of(error: BaseException) -> int | None:
    for attribute in ("status_code", "status", "http_status"):
        value = getattr(error, attribute, None)
        if isinstance(value, int):
            return value
    response: Any = getattr(error, "response", None)
    if isinstance(response, dict):
        # botocore's ClientError
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return status if isinstance(status, int) else None
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None
