"""Rate limits: per-bucket windows in memory and in a real Redis, and the 429 at the HTTP edge."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from synqc_backend.limits.rate_limit import WINDOW_S, InMemoryRateLimiter, RedisRateLimiter
from tests.conftest import make_settings
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

KEY = "k" * 24
OTHER_KEY = "o" * 24


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_is_refused_above_the_limit_until_its_window_ends() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(3, clock)

    decisions = [limiter.hit(["addr:a"]) for _ in range(4)]
    clock.now += 15
    still = limiter.hit(["addr:a"])
    clock.now += WINDOW_S - 15
    reopened = limiter.hit(["addr:a"])

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert (decisions[3].bucket, decisions[3].retry_after_s) == ("addr:a", WINDOW_S)
    assert (still.allowed, still.retry_after_s) == (False, WINDOW_S - 15)
    assert reopened.allowed


def test_buckets_are_counted_apart_and_any_full_one_refuses() -> None:
    limiter = InMemoryRateLimiter(2, Clock())
    limiter.hit(["addr:a", "key:k"])
    limiter.hit(["addr:b", "key:k"])

    refused = limiter.hit(["addr:c", "key:k"])
    other = limiter.hit(["addr:a"])

    assert (refused.allowed, refused.bucket) == (False, "key:k")
    assert other.allowed


def test_expired_windows_are_forgotten() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(5, clock)
    for index in range(1_000):
        limiter.hit([f"addr:{index}"])
    clock.now += WINDOW_S

    limiter.hit(["addr:new"])

    assert limiter.buckets() == 1


def test_redis_counters_are_shared_by_every_limiter(redis_server: RedisServer) -> None:
    first = RedisRateLimiter.from_url(redis_server.url, 4)
    second = RedisRateLimiter.from_url(redis_server.url, 4)
    try:
        allowed = [(first if i % 2 else second).hit(["addr:x"]).allowed for i in range(6)]
        refused = first.hit(["addr:x"])
    finally:
        first.close()
        second.close()
    assert allowed == [True] * 4 + [False] * 2
    assert 0 < refused.retry_after_s <= WINDOW_S


def test_without_redis_each_process_still_limits_itself(redis_server: RedisServer) -> None:
    limiter = RedisRateLimiter.from_url(redis_server.url, 2)
    redis_server.stop()
    try:
        allowed = [limiter.hit(["addr:y"]).allowed for _ in range(3)]
    finally:
        limiter.close()
    assert allowed == [True, True, False]


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, rate_limit_per_minute=5, api_key=(KEY, OTHER_KEY))
    with TestClient(create_app(settings)) as client:
        yield client


def from_address(client: TestClient, address: str) -> TestClient:
    """Another caller of the same running app, at its own client address."""
    return TestClient(client.app, client=(address, 40_000))


def rate_limited(response: Any, scope: str) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= WINDOW_S
    assert response.headers["X-Request-Id"]
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] == detail["error_code"] == "RATE_LIMITED"
    assert detail["error_detail"]["scope"] == scope
    assert detail["error_detail"]["limit_per_minute"] == 5
    assert detail["action_hint"]
    return detail


def test_one_client_address_is_limited_and_others_are_not(limited: TestClient) -> None:
    noisy, quiet = from_address(limited, "10.0.0.1"), from_address(limited, "10.0.0.2")
    codes = [noisy.get("/hardware/targets").status_code for _ in range(5)]

    rate_limited(noisy.get("/hardware/targets"), "client address")
    assert codes == [200] * 5
    assert quiet.get("/hardware/targets").status_code == 200


def test_one_api_key_is_limited_across_client_addresses(limited: TestClient) -> None:
    headers = {"X-Api-Key": KEY}
    codes = [
        from_address(limited, f"10.0.1.{i % 3}").get("/runs", headers=headers).status_code
        for i in range(5)
    ]

    refused = from_address(limited, "10.0.1.9").get("/runs", headers=headers)
    other_key = from_address(limited, "10.0.1.9").get("/runs", headers={"X-Api-Key": OTHER_KEY})

    assert codes == [200] * 5
    rate_limited(refused, "API key")
    assert other_key.status_code == 200


def test_unknown_keys_do_not_open_buckets_of_their_own(limited: TestClient) -> None:
    caller = from_address(limited, "10.0.2.1")
    codes = [caller.get("/runs", headers={"X-Api-Key": f"guess-{i}"}).status_code for i in range(5)]

    rate_limited(caller.get("/runs", headers={"X-Api-Key": "guess-5"}), "client address")
    assert codes == [401] * 5


def test_health_is_not_counted(limited: TestClient) -> None:
    caller = from_address(limited, "10.0.3.1")
    assert {caller.get("/health").status_code for _ in range(8)} == {200}
    assert caller.get("/hardware/targets").status_code == 200


def test_a_limit_of_zero_turns_limiting_off(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, rate_limit_per_minute=0))) as client:
        assert {client.get("/hardware/targets").status_code for _ in range(30)} == {200}


def test_api_processes_on_one_redis_share_the_limit(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = make_settings(tmp_path, rate_limit_per_minute=6, redis_url=redis_server.url)
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        callers = [from_address(first, "10.0.4.1"), from_address(second, "10.0.4.1")]
        codes = [callers[i % 2].get("/hardware/targets").status_code for i in range(10)]
    assert codes == [200] * 6 + [429] * 4
