"""`python -m synqc_backend.redis_healthcheck` against a throwaway `redis-server`."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from synqc_backend.redis_healthcheck import redacted
from tests.live_server import free_port
from tests.redis_server import (
    RedisServer,
    require_redis_server,
    running_redis_server,
)

PASSWORD = "s3cret-pw"
ENV_NAMES = ("REDIS_URL", "REDIS_EVENTS_CHANNEL", "SYNQC_REDIS_URL", "SYNQC_REDIS_EVENTS_CHANNEL")


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A server that wants a password, so the tests can check it is never printed."""
    executable = require_redis_server()
    workdir = tmp_path_factory.mktemp("redis")
    with running_redis_server(workdir, executable, password=PASSWORD) as server:
        yield server


def run_healthcheck(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The module as an operator runs it, with only `env` among the Redis variables."""
    base = {name: value for name, value in os.environ.items() if name not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, "-m", "synqc_backend.redis_healthcheck", "--timeout", "2"],
        cwd=cwd,  # no stray `.env`
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def published_probe(server: RedisServer, channel: str, cwd: Path, **env: str) -> dict[str, Any]:
    """Run the healthcheck while subscribed to `channel`; the probe it published."""
    with server.client() as client:
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(channel)
            assert pubsub.get_message(timeout=5)["type"] == "subscribe"
            result = run_healthcheck(cwd, **env)
            assert result.returncode == 0, result.stderr
            assert PASSWORD not in result.stdout + result.stderr
            message = pubsub.get_message(timeout=5)
        finally:
            pubsub.close()
    assert message is not None
    assert message["channel"] == channel.encode()
    probe: dict[str, Any] = json.loads(message["data"])
    return probe


def test_success_pings_and_publishes_a_probe(server: RedisServer, tmp_path: Path) -> None:
    probe = published_probe(server, "synqc:events", tmp_path, REDIS_URL=server.url)

    assert probe["type"] == "probe"
    assert probe["source"] == "redis_healthcheck"
    assert "run_id" not in probe  # run-event subscribers skip it


def test_success_says_what_it_did_without_the_password(server: RedisServer, tmp_path: Path) -> None:
    result = run_healthcheck(tmp_path, REDIS_URL=server.url)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"redis_healthcheck: PING redis://:***@127.0.0.1:{server.port}/0")
    assert lines[1].startswith("redis_healthcheck: PUBLISH synqc:events:")
    assert PASSWORD not in result.stdout + result.stderr


def test_channel_comes_from_redis_events_channel(server: RedisServer, tmp_path: Path) -> None:
    published_probe(
        server, "ops:probe", tmp_path, REDIS_URL=server.url, REDIS_EVENTS_CHANNEL="ops:probe"
    )


def test_synqc_names_are_the_fallback(server: RedisServer, tmp_path: Path) -> None:
    published_probe(
        server,
        "synqc:other",
        tmp_path,
        SYNQC_REDIS_URL=server.url,
        SYNQC_REDIS_EVENTS_CHANNEL="synqc:other",
    )


def test_unprefixed_url_wins(server: RedisServer, tmp_path: Path) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"

    result = run_healthcheck(tmp_path, REDIS_URL=server.url, SYNQC_REDIS_URL=closed)

    assert result.returncode == 0, result.stderr


def test_closed_port_fails_with_one_line(tmp_path: Path) -> None:
    url = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"

    result = run_healthcheck(tmp_path, REDIS_URL=url)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("redis_healthcheck: FAILED: redis://:***@127.0.0.1:")
    assert "ConnectionError" in result.stderr
    assert PASSWORD not in result.stderr


def test_wrong_password_fails_without_printing_it(server: RedisServer, tmp_path: Path) -> None:
    url = f"redis://:wrong-{PASSWORD}@127.0.0.1:{server.port}/0"

    result = run_healthcheck(tmp_path, REDIS_URL=url)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "AuthenticationError" in result.stderr
    assert PASSWORD not in result.stderr


def test_no_url_fails_with_one_line(tmp_path: Path) -> None:
    result = run_healthcheck(tmp_path)

    assert result.returncode == 1
    assert result.stderr == (
        "redis_healthcheck: FAILED: no Redis URL: set REDIS_URL (or SYNQC_REDIS_URL)\n"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:pw@redis:6379/0", "redis://:***@redis:6379/0"),
        ("rediss://user:p%40ss@redis.example:6380/1", "rediss://user:***@redis.example:6380/1"),
        ("redis://redis:6379/0?password=pw&db=2", "redis://redis:6379/0?password=***&db=2"),
        ("unix://:pw@/run/redis.sock?db=0", "unix://:***@/run/redis.sock?db=0"),
    ],
)
def test_redacted_masks_the_password(url: str, shown: str) -> None:
    assert redacted(url) == shown
