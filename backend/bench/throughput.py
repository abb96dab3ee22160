"""Throughput of `hello_quantum_sim` runs: embedded default vs. production, with a ceiling.

Run from backend/: `../.venv/bin/python bench/throughput.py [--runs 200] [--levels 1,8,32]
[--rate 20]`.
In one run it measures
- the ceiling: a bare FastAPI POST endpoint, served like the API (1 and 2 processes):
  requests/s and its own submit p95;
- embedded: `synqc serve` (SQLite, 2 worker threads);
- production: the operations tests' deployment (`tests/ops/production_deployment.py`): a
  throwaway redis-server, a scratch PostgreSQL database, `synqc serve --workers 2` and two
  `synqc worker --threads 2`;
at each concurrency: submit latency p50/p95 (client side) and completed runs/s (first submit
to last run final), and the same for `--rate` submissions per second offered open loop (the
latency a steady load sees, where a closed loop of N clients queues N requests by construction);
then prints the ratios. Each of the concurrent clients is its own session.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synqc_backend.config import Settings
from tests.live_server import free_port
from tests.ops.production_deployment import production_deployment

VENV_BIN = Path(sys.executable).parent
BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/runs", status_code=202)
    def submit() -> dict[str, str]:
        return {"status": "queued"}

    if __name__ == "__main__":
        import sys

        import uvicorn
        from uvicorn.supervisors import Multiprocess

        from synqc_backend.http.listener import tcp_listener

        port, workers = int(sys.argv[1]), int(sys.argv[2])
        config = uvicorn.Config("bare_app:app", workers=workers, log_level="warning")
        Multiprocess(config, sockets=[tcp_listener("127.0.0.1", port)]).run()
    """
)
# One client submitting and polling hundreds of runs: the abuse limits would cut it off.
NO_ABUSE_LIMITS = {
    "SYNQC_RATE_LIMIT_PER_MINUTE": "0",
    "SYNQC_MAX_ACTIVE_RUNS_PER_SESSION": "100000",
}


@dataclass(frozen=True)
class Level:
    """One load level: `concurrency` clients back to back, or submissions offered at `rate`/s."""

    mode: str
    concurrency: int
    rate: float | None
    submit_p50_ms: float
    submit_p95_ms: float
    throughput: float
    failed: int

    @property
    def load(self) -> str:
        return str(self.concurrency) if self.rate is None else f"{self.rate:g}/s"


def drive(
    base_url: str, runs: int, concurrency: int, wait: bool, rate: float | None = None
) -> tuple[list[float], float, int]:
    """Submit `runs` runs; (submit latencies s, completed per s, not succeeded).

    - Closed loop (`rate` None): `concurrency` clients, each submitting as soon as its last
      submission was answered.
    - Open loop: submission i is sent at i / `rate` s, whatever the answers before it.
    """
    body = {"preset": "hello_quantum_sim", "shot_budget": 100}
    with httpx.Client(base_url=base_url, timeout=60) as client:

        def submit(index: int) -> tuple[float, str | None]:
            # Each of the `concurrency` clients is its own session, as separate operators are.
            session = {"X-Session-Id": f"bench-client-{index % concurrency}"}
            if rate is not None:
                time.sleep(max(0.0, began + index / rate - time.monotonic()))
            started = time.monotonic()
            response = client.post("/runs", json=body, headers=session)
            elapsed = time.monotonic() - started
            run_id = response.json().get("id") if response.status_code == 202 else None
            return elapsed, run_id

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency if rate is None else runs) as pool:
            results = list(pool.map(submit, range(runs)))
        if not wait:
            return [r[0] for r in results], runs / (time.monotonic() - began), 0
        ids = {run_id for _, run_id in results if run_id}
        not_done = _wait_all_final(client, ids)
        finished = time.monotonic() - began
        return [r[0] for r in results], len(ids) / finished, runs - len(ids) + not_done


def _wait_all_final(client: httpx.Client, ids: set[str], timeout_s: float = 600) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        queue = client.get("/health").json()["queue"]
        if queue["queued"] == 0 and queue["running"] == 0:
            recent = client.get("/runs", params={"limit": 500}).json()["runs"]
            return sum(1 for run in recent if run["id"] in ids and run["status"] != "succeeded")
        time.sleep(0.1)
    return len(ids)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


@contextmanager
def process(args: list[str], env: dict[str, str], cwd: Path, log: str) -> Iterator[None]:
    with (cwd / log).open("w") as out:
        proc = subprocess.Popen(
            args, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


@dataclass(frozen=True)
class Bare:
    """The bare endpoint at one concurrency: requests/s and client-side p95 latency."""

    requests_per_s: float
    p95_ms: float


def ceiling(workdir: Path, workers: int, runs: int, levels: list[int]) -> dict[int, Bare]:
    (workdir / "bare_app.py").write_text(BARE_APP)
    port = free_port()
    # Served as `synqc serve --workers N` serves the API: uvicorn's supervisor on our listener.
    args = [sys.executable, "bare_app.py", str(port), str(workers)]
    found = {}
    with process(args, {}, workdir, f"bare-{workers}.log"):
        wait_ready(f"http://127.0.0.1:{port}/docs")
        for concurrency in levels:
            latencies, rate, _ = drive(f"http://127.0.0.1:{port}", runs * 5, concurrency, False)
            found[concurrency] = Bare(rate, percentile(latencies, 95) * 1e3)
    return found


def measure(mode: str, base_url: str, runs: int, levels: list[int], rate: float) -> list[Level]:
    """The closed-loop levels, then `runs` submissions offered at `rate` per second."""
    loads: list[tuple[int, float | None]] = [(c, None) for c in levels] + [(max(levels), rate)]
    rows = []
    for concurrency, offered in loads:
        latencies, throughput, failed = drive(base_url, runs, concurrency, True, offered)
        rows.append(
            Level(
                mode,
                concurrency,
                offered,
                percentile(latencies, 50) * 1e3,
                percentile(latencies, 95) * 1e3,
                throughput,
                failed,
            )
        )
    return rows


def embedded(workdir: Path, runs: int, levels: list[int], rate: float) -> list[Level]:
    port = free_port()
    env = {
        "SYNQC_DATABASE_URL": f"sqlite:///{workdir / 'embedded.db'}",
        "SYNQC_API_KEY": "",
        "SYNQC_ENABLE_METRICS": "false",
        "SYNQC_WORKER_CONCURRENCY": "2",
        "SYNQC_MAX_SHOTS_PER_SESSION": "100000000",
        **NO_ABUSE_LIMITS,
    }
    with process(
        [str(VENV_BIN / "synqc"), "serve", "--port", str(port)], env, workdir, "embedded.log"
    ):
        wait_ready(f"http://127.0.0.1:{port}/health")
        return measure("embedded", f"http://127.0.0.1:{port}", runs, levels, rate)


def production(workdir: Path, runs: int, levels: list[int], rate: float) -> list[Level]:
    # The deployment's fast heartbeats suit fault tests; measure with the production defaults.
    defaults = {
        f"SYNQC_{name.upper()}": str(Settings.model_fields[name].default)
        for name in ("heartbeat_interval_seconds", "stale_run_seconds")
    }
    with production_deployment(workdir, {**NO_ABUSE_LIMITS, **defaults}) as deployment:
        return measure("production", deployment.base_url, runs, levels, rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--rate", type=float, default=20.0, help="open-loop runs/s offered")
    options = parser.parse_args()
    levels = [int(level) for level in options.levels.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        one = ceiling(workdir, 1, options.runs, levels)
        two = ceiling(workdir, 2, options.runs, levels)
        rows = embedded(workdir, options.runs, levels, options.rate) + production(
            workdir, options.runs, levels, options.rate
        )
    print(f"{options.runs} hello_quantum_sim runs (100 shots) per level, {os.cpu_count()} cores")
    print(
        f"{'mode':<11}{'load':>6}{'submit p50 ms':>15}{'submit p95 ms':>15}{'runs/s':>9}"
        f"{'failed':>8}{'bare req/s':>12}{'bare p95 ms':>13}"
    )
    for row in rows:
        bare = (one if row.mode == "embedded" else two)[row.concurrency]
        ceiling_columns = (
            f"{bare.requests_per_s:>12.0f}{bare.p95_ms:>13.1f}"
            if row.rate is None
            else f"{'-':>12}{'-':>13}"
        )
        print(
            f"{row.mode:<11}{row.load:>6}{row.submit_p50_ms:>15.1f}"
            f"{row.submit_p95_ms:>15.1f}{row.throughput:>9.1f}{row.failed:>8}{ceiling_columns}"
        )
    by = {(r.mode, r.concurrency): r for r in rows if r.rate is None}
    for concurrency in levels:
        production_row = by["production", concurrency]
        ratio = production_row.throughput / by["embedded", concurrency].throughput
        print(
            f"concurrency {concurrency}: production / embedded runs/s = {ratio:.2f}x; "
            f"production submit p95 / bare endpoint p95 (2 procs) = "
            f"{production_row.submit_p95_ms / two[concurrency].p95_ms:.1f}x"
        )


if __name__ == "__main__":
    main()
