"""Calls that may never return (a provider SDK stuck in a socket read, a lock that is never
released): run them in a thread of their own and stop waiting at a deadline.

A blocking call inside C code cannot be interrupted from Python, not even by Dramatiq's time
limit, so the caller stops waiting instead and the stuck thread is left behind as a daemon;
whatever it returns later is dropped.
"""

import contextvars
import threading
import time
from collections.abc import Callable


class DeadlinePassedError(TimeoutError):
    """The call had not returned when its deadline passed."""


def call_before[T](deadline_monotonic: float, call: Callable[[], T], name: str) -> T:
    """`call()`'s value or exception, or `DeadlinePassedError` at `deadline_monotonic`.

    The call runs in this thread's context (so log lines keep their request id).
    """
    finished = threading.Event()
    outcome: dict[str, T] = {}
    failure: list[BaseException] = []
    context = contextvars.copy_context()

    def run() -> None:
        try:
            outcome["value"] = context.run(call)
        except BaseException as error:
            failure.append(error)
        finally:
            finished.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    if not finished.wait(max(0.0, deadline_monotonic - time.monotonic())):
        raise DeadlinePassedError(f"{name} did not return before its deadline")
    if failure:
        raise failure[0]
    return outcome["value"]
