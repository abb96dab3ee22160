"""Throwaway `redis-server` processes for tests, one per test, each on its own free port.

- `redis_server` fixture: a started `RedisServer`. `stop()` (SIGTERM) or `kill()` (SIGKILL)
  takes Redis away and `start()` brings a new, empty one back at the same URL; `pause()`
  (SIGSTOP) makes it hang until `resume()`. Whatever is still running is stopped on teardown.
- `redis_url` fixture: the URL of such a server, `redis://127.0.0.1:<port>/0`.
- No persistence (`--save ''`, `--appendonly no`), bound to 127.0.0.1, files in a temp dir;
  the server's log is `redis-<port>.log` there.
- `redis-server` not on PATH: tests that need it skip, except under `CI=true`, where they fail.

To use the fixtures in a test module, import both (the names are what tests ask for):
`from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401`.
"""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.live_server import free_port

EXECUTABLE = "redis-server"
START_ATTEMPTS = 3


class RedisServerError(RuntimeError):
    """The server did not start (it exited, or did not answer PING in time)."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_redis_server() -> str:
    """The `redis-server` executable; skips the test when missing, fails under `CI=true`."""
    path = shutil.which(EXECUTABLE)
    if path is not None:
        return path
    message = f"{EXECUTABLE} is not on PATH (Debian/Ubuntu: apt-get install redis-server)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


class RedisServer:
    """One `redis-server` subprocess on a port that stays the same across stop and start."""

    def __init__(
        self,
        workdir: Path,
        executable: str = EXECUTABLE,
        port: int | None = None,
        password: str | None = None,
        append_only: bool = False,
    ) -> None:
        self.workdir = workdir
        self.executable = executable
        self.port = free_port() if port is None else port
        self.password = password
        self.append_only = append_only
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        auth = "" if self.password is None else f":{self.password}@"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"redis-{self.port}.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout_s: float = 10.0) -> None:
        """Start a server on this port (empty unless `append_only`) and wait for PING."""
        if self._process is not None:
            raise RuntimeError(f"redis-server on port {self.port} was started already")
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            self._command(), stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_ready(timeout_s)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM (SIGKILL after `timeout_s`) and reap; a no-op when not running."""
        self._end(signal.SIGTERM, timeout_s)

    def kill(self) -> None:
        """SIGKILL, as a crash would, and reap."""
        self._end(signal.SIGKILL, 10.0)

    def pause(self) -> None:
        """SIGSTOP: the server keeps its connections but answers nothing (a hung Redis)."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        """A client without retries; close it (or use it in a `with` block)."""
        return redis.Redis.from_url(
            self.url, socket_connect_timeout=1.0, socket_timeout=5.0, retry=Retry(NoBackoff(), 0)
        )

    def answers_ping(self) -> bool:
        with self.client() as client:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

    def _serves_this_port(self, pid: int) -> bool:
        # Our process, not another server that took the port after `free_port()` chose it.
        with self.client() as client:
            try:
                return bool(client.info("server")["process_id"] == pid)
            except redis.RedisError:
                return False

    def _command(self) -> list[str]:
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1"]
        # With `append_only`, a restart (after a kill too) reloads what was written, as
        # production's Redis does; without, every start is empty.
        append_only = "yes" if self.append_only else "no"
        command += ["--save", "", "--appendonly", append_only, "--dir", str(self.workdir)]
        # hz 100: a SIGTERM is acted on within 10 ms (default 100 ms), which keeps teardown quick.
        command += ["--daemonize", "no", "--logfile", "", "--hz", "100"]
        if self.password is not None:
            command += ["--requirepass", self.password]
        return command

    def _wait_ready(self, timeout_s: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout_s
        while not self._serves_this_port(self._process.pid):
            if self._process.poll() is not None:
                raise RedisServerError(
                    f"redis-server on port {self.port} exited with {self._process.returncode}: "
                    f"{self._log_tail()}"
                )
            if time.monotonic() > deadline:
                raise RedisServerError(f"redis-server on port {self.port} did not answer PING")
            time.sleep(0.01)

    def _signal(self, sig: signal.Signals) -> None:
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError(f"redis-server on port {self.port} is not running")
        self._process.send_signal(sig)

    def _end(self, sig: signal.Signals, timeout_s: float) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(sig)
                process.send_signal(signal.SIGCONT)  # a paused server acts on SIGTERM
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _log_tail(self) -> str:
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:])


@contextmanager
def running_redis_server(
    workdir: Path, executable: str = EXECUTABLE, password: str | None = None
) -> Iterator[RedisServer]:
    """A started server, stopped after the block; a port taken meanwhile is tried again."""
    for attempt in range(1, START_ATTEMPTS + 1):
        server = RedisServer(workdir, executable, password=password)
        try:
            server.start()
            break
        except RedisServerError:
            # Most likely another process bound the free port first.
            if attempt == START_ATTEMPTS:
                raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(name="redis_server")
def redis_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    executable = require_redis_server()
    with running_redis_server(tmp_path_factory.mktemp("redis"), executable) as server:
        yield server


@pytest.fixture(name="redis_url")
def redis_url_fixture(redis_server: RedisServer) -> str:
    return redis_server.url
