"""A real `synqc serve` process on a free port, for tests that need a whole server."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SYNQC = Path(sys.executable).parent / "synqc"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SynqcProcess:
    """A `synqc` subprocess with its output in a log file; `kill()` sends SIGKILL, as a crash."""

    def __init__(self, workdir: Path, env: dict[str, str], args: list[str], log_name: str) -> None:
        self._log = (workdir / log_name).open("w")
        self.process = subprocess.Popen(
            [str(SYNQC), *args],
            cwd=workdir,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class LiveServer(SynqcProcess):
    """`synqc serve` on a free port (`workers` API processes)."""

    def __init__(self, workdir: Path, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        args = ["serve", "--port", str(self.port), "--workers", str(workers)]
        super().__init__(workdir, env, args, f"serve-{self.port}.log")

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not become ready")


class WorkerProcess(SynqcProcess):
    """`synqc worker` (production mode)."""

    def __init__(self, workdir: Path, env: dict[str, str], threads: int = 2) -> None:
        super().__init__(
            workdir, env, ["worker", "--threads", str(threads)], f"worker-{id(self)}.log"
        )


@contextmanager
def live_server(workdir: Path, env: dict[str, str], workers: int = 1) -> Iterator[LiveServer]:
    server = LiveServer(workdir, env, workers)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def server_env(database: Path, **overrides: str) -> dict[str, str]:
    """Environment of a test server: its own SQLite file, no key, no metrics port."""
    return {
        "SYNQC_DATABASE_URL": f"sqlite:///{database}",
        "SYNQC_API_KEY": "",
        "SYNQC_ENABLE_METRICS": "false",
        **overrides,
    }
