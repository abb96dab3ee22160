"""Run heartbeats in a real Redis: kept while a run executes, back soon after Redis restarts,
and never cleared by an attempt that ended while another attempt of the run beats."""

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import redis

from synqc_backend.runs.heartbeat import RunHeartbeats
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

INTERVAL_S = 0.1
TTL_S = 0.3
RUN = "run-1"


@pytest.fixture
def client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(redis_server.url, socket_timeout=2) as shared:
        yield shared


def heartbeats(client: redis.Redis) -> RunHeartbeats:
    return RunHeartbeats(client, ttl_s=TTL_S, interval_s=INTERVAL_S)


def alive_within(beats: RunHeartbeats, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not beats.alive(RUN):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_run_is_alive_while_it_executes_and_not_after(client: redis.Redis) -> None:
    beats = heartbeats(client)
    beats.start()
    try:
        with beats.beating(RUN):
            time.sleep(3 * TTL_S)  # well past one key's life: the loop renews it
            alive_during = beats.alive(RUN)
        alive_after = beats.alive(RUN)
    finally:
        beats.stop()
    assert (alive_during, alive_after) == (True, False)


def test_an_attempt_that_ends_leaves_the_key_of_the_attempt_now_beating(
    client: redis.Redis,
) -> None:
    stale, current = heartbeats(client), heartbeats(client)  # two worker processes
    with ExitStack() as attempt_2:
        with stale.beating(RUN):
            attempt_2.enter_context(current.beating(RUN))
        alive_after_the_stale_attempt = current.alive(RUN)
    alive_after_both = current.alive(RUN)
    assert (alive_after_the_stale_attempt, alive_after_both) == (True, False)


def test_beats_are_back_within_an_interval_of_a_restarted_redis(
    redis_server: RedisServer, client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    beats = heartbeats(client)
    beats.start()
    try:
        with beats.beating(RUN):
            redis_server.kill()
            time.sleep(4 * INTERVAL_S)  # beats fail meanwhile
            redis_server.start()  # empty: the key is gone
            restarted = time.monotonic()
            back = alive_within(beats, 2 * INTERVAL_S + 0.2)
            back_after_s = time.monotonic() - restarted
    finally:
        beats.stop()
    assert back, "the run's heartbeat did not come back"
    assert back_after_s <= 2 * INTERVAL_S + 0.2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if w.startswith("run-heartbeats: unreachable")]) == 1
