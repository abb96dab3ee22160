"""A background loop outlives its dependencies: it backs off, logs an outage once, and resumes."""

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from synqc_backend.runs.background_loop import BackgroundLoop
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

INTERVAL_S = 0.05
MAX_BACKOFF_S = 0.2
LOGGER = "synqc_backend.runs.background_loop"


class Steps:
    """Counts a loop's steps, and the ones that returned."""

    def __init__(self, step: Callable[[], None]) -> None:
        self.tried = 0
        self.done = 0
        self._step = step
        self._changed = threading.Condition()

    def __call__(self) -> None:
        with self._changed:
            self.tried += 1
            self._changed.notify_all()
        self._step()
        with self._changed:
            self.done += 1
            self._changed.notify_all()

    def wait(self, *, tried: int = 0, done: int = 0, timeout_s: float = 10.0) -> None:
        with self._changed:
            reached = self._changed.wait_for(
                lambda: self.tried >= tried and self.done >= done, timeout_s
            )
        assert reached, f"{self.tried} tried, {self.done} done"


@pytest.fixture
def looping() -> Iterator[Callable[[Steps], BackgroundLoop]]:
    loops: list[BackgroundLoop] = []

    def start(steps: Steps) -> BackgroundLoop:
        loops.append(BackgroundLoop("test-loop", steps, INTERVAL_S, MAX_BACKOFF_S))
        loops[-1].start()
        return loops[-1]

    yield start
    for loop in loops:
        loop.stop()


def loop_records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == level]


def test_a_redis_outage_is_logged_once_and_the_loop_resumes_when_redis_is_back(
    redis_server: RedisServer,
    looping: Callable[[Steps], BackgroundLoop],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = redis_server.client()

    def ping() -> None:
        client.ping()

    steps = Steps(ping)
    caplog.set_level(logging.DEBUG, LOGGER)
    looping(steps)
    steps.wait(done=2)

    redis_server.kill()
    failed_from = steps.tried
    steps.wait(tried=failed_from + 4)
    redis_server.start()
    resumed_from = steps.done
    steps.wait(done=resumed_from + 3)
    client.close()

    (warning,) = loop_records(caplog, logging.WARNING)
    assert warning.startswith("test-loop: unreachable (ConnectionError:")
    assert len(loop_records(caplog, logging.DEBUG)) >= 3
    (resumed,) = loop_records(caplog, logging.INFO)
    assert resumed.startswith("test-loop: working again after ")


def test_a_step_that_raises_a_bug_is_logged_with_its_traceback_once_and_tried_again(
    looping: Callable[[Steps], BackgroundLoop], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise ValueError("a bug in the step")

    steps = Steps(broken)
    looping(steps)
    steps.wait(tried=4)

    errors = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        f"test-loop: step failed; trying again at most {MAX_BACKOFF_S:g} s apart"
    ]
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], ValueError)


def test_the_wait_doubles_after_each_failure_up_to_the_cap() -> None:
    loop = BackgroundLoop("test-loop", lambda: None, interval_s=2.0, max_backoff_s=15.0)
    waits = [loop.wait_s(failures) for failures in (0, 1, 2, 3, 10_000)]
    assert waits == [2.0, 4.0, 8.0, 15.0, 15.0]


def test_stop_ends_a_loop_in_its_back_off_at_once() -> None:
    def unreachable() -> None:
        raise redis.ConnectionError("refused")

    steps = Steps(unreachable)
    loop = BackgroundLoop("test-loop", steps, INTERVAL_S, max_backoff_s=60.0)
    loop.start()
    steps.wait(tried=4)  # now waiting 0.8 s, then 1.6 s, ...
    started = time.monotonic()
    loop.stop()
    assert time.monotonic() - started < 0.5
    tried = steps.tried
    time.sleep(0.2)
    assert steps.tried == tried
