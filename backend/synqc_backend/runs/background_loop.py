"""A step called every interval in a daemon thread that outlives what the step depends on.

A step that raises (the store or Redis away, or a bug) does not end the loop: it is tried
again after a back-off, and the outage is logged once, not once per try.
- The first failure of an outage is logged at WARNING when the store, Redis or the broker
  could not be reached, at ERROR with its traceback otherwise; the tries after it at DEBUG.
- Tries after a failure wait `interval_s`, twice as long after each further failure, up to
  `max_backoff_s`; the first step that works again is logged at INFO and the loop is back to
  `interval_s`.
"""

import logging
import threading
import time
from collections.abc import Callable

import dramatiq
import redis

from synqc_backend.storage.availability import is_store_fault

log = logging.getLogger(__name__)

# Errors that mean Redis or the broker did not answer (BusyLoadingError included).
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, dramatiq.errors.BrokerConnectionError)
# Doubling stops here, long after any back-off reached its cap (2**n would overflow a float).
MAX_DOUBLINGS = 16


def is_dependency_fault(error: BaseException) -> bool:
    """True when the store, Redis or the broker could not be reached: an outage, not a bug."""
    return isinstance(error, UNREACHABLE) or is_store_fault(error)


class BackgroundLoop:
    """Calls `step` every `interval_s` from `start()` until `stop()`, whatever it raises."""

    def __init__(
        self,
        name: str,
        step: Callable[[], None],
        interval_s: float,
        max_backoff_s: float | None = None,
    ) -> None:
        self.name = name
        self._step = step
        self._interval_s = interval_s
        self._max_backoff_s = max(interval_s, max_backoff_s or interval_s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the loop to end and wait up to `timeout_s` for a step in progress to return."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout_s)

    def wait_s(self, failures: int) -> float:
        """How long the loop waits before its next step after `failures` failures in a row."""
        return min(self._max_backoff_s, self._interval_s * 2.0 ** min(failures, MAX_DOUBLINGS))

    def _run(self) -> None:
        failures, failing_since = 0, 0.0
        while not self._stop.wait(self.wait_s(failures)):
            try:
                self._step()
            except Exception as error:
                if failures == 0:
                    failing_since = time.monotonic()
                    self._report(error)
                else:
                    log.debug("%s: still failing: %s", self.name, _summary(error))
                failures += 1
                continue
            if failures:
                log.info(
                    "%s: working again after %d failed tries over %.0f s",
                    self.name,
                    failures,
                    time.monotonic() - failing_since,
                )
                failures = 0

    def _report(self, error: Exception) -> None:
        retry = f"trying again at most {self._max_backoff_s:g} s apart"
        if is_dependency_fault(error):
            log.warning("%s: unreachable (%s); %s", self.name, _summary(error), retry)
        else:
            log.error("%s: step failed; %s", self.name, retry, exc_info=error)


def _summary(error: BaseException) -> str:
    # The first line only: SQLAlchemy appends the statement and a link on lines of their own.
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"
