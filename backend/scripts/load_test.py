"""Load test of a running SynQc TDS service: submit runs, follow each to its end, check health.

Run from backend/ (any machine with httpx and prometheus-client):
    ../.venv/bin/python scripts/load_test.py --runs 60 --concurrency 15

- `--concurrency` runs are in flight at once; each is submitted, then polled until it is final
  (or `--timeout` seconds after the start). 429 `RATE_LIMITED` and 503 answers are retried after
  their `Retry-After`; any other refusal counts as a failure with its error code.
- Before and after, it scrapes every `--metrics-url` (repeat the option for each process) and
  reads `/health`; it prints runs finished / submitted, failures by code, submit and completion
  latency percentiles, whether the queue drained, whether Redis is connected, budget keys.
- Exit codes: 0 passed (or `--no-strict`); 1 with `--strict` (the default) when a run is
  unfinished or failed, the queue did not drain, Redis is disconnected in a deployment that
  uses it, or a metrics URL is unreachable; 2 on bad arguments (an unknown preset included).
"""

import argparse
import os
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from load_test_report import MetricsReading, RunOutcome, Summary, read_metrics, render

FINAL = frozenset({"succeeded", "failed", "cancelled"})
RETRYABLE = frozenset({429, 503})
NOT_RETRYABLE_429 = frozenset({"BUDGET_EXHAUSTED"})
# Seconds the queue may take to empty once every run of ours is final (others may share it).
DRAIN_WAIT_S = 10.0
REQUEST_TIMEOUT_S = 30.0


@dataclass
class LoadTest:
    """One load test: its options, HTTP client, deadline (monotonic seconds) and the waits the
    server asked for (429 `RATE_LIMITED`, 503), in seconds."""

    options: argparse.Namespace
    client: httpx.Client
    deadline: float
    waits_s: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run_one(self, _index: int) -> RunOutcome:
        outcome = RunOutcome()
        body = {"preset": self.options.preset, "hardware_target": self.options.target}
        started = time.monotonic()
        response = self._request("POST", "/runs", json=body)
        outcome.submit_latency_s = time.monotonic() - started
        if response is None or response.status_code != 202:
            outcome.error_code = error_code_of(response)
            return outcome
        outcome.run_id = response.json()["id"]
        self._follow(outcome, started)
        return outcome

    def _follow(self, outcome: RunOutcome, started: float) -> None:
        while time.monotonic() < self.deadline:
            response = self._request("GET", f"/runs/{outcome.run_id}")
            if response is None or response.status_code != 200:
                outcome.error_code = error_code_of(response)
                return
            run = response.json()
            if run["status"] in FINAL:
                outcome.final_status = run["status"]
                outcome.completion_latency_s = time.monotonic() - started
                if run["status"] != "succeeded":
                    outcome.error_code = run.get("error_code") or run["status"].upper()
                return
            time.sleep(self.options.poll_interval)
        outcome.error_code = "UNFINISHED"

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """One request, retried while the server asks to wait; None when unreachable."""
        while True:
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.TransportError:
                return None
            wait_s = retry_after_s(response)
            if wait_s is None or time.monotonic() + wait_s >= self.deadline:
                return response
            with self._lock:
                self.waits_s.append(wait_s)
            time.sleep(wait_s)


def retry_after_s(response: httpx.Response) -> float | None:
    """Seconds to wait before retrying, or None when the answer is final."""
    if response.status_code not in RETRYABLE or error_code_of(response) in NOT_RETRYABLE_429:
        return None
    try:
        return max(0.1, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


def error_code_of(response: httpx.Response | None) -> str:
    if response is None:
        return "UNREACHABLE"
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, dict) and isinstance(detail.get("code"), str):
        return str(detail["code"])
    return f"HTTP_{response.status_code}"


def parse_options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="load_test.py", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8001", type=_http_url)
    parser.add_argument(
        "--metrics-url",
        action="append",
        type=_http_url,
        help="a /metrics URL to scrape; repeat for every process "
        "(default http://127.0.0.1:9000/metrics)",
    )
    parser.add_argument("--runs", type=_positive_int, default=20)
    parser.add_argument("--concurrency", type=_positive_int, default=4)
    parser.add_argument(
        "--api-key",
        default=os.environ.get("SYNQC_API_KEY") or None,
        help="default: the first key of SYNQC_API_KEY",
    )
    parser.add_argument("--session-id", default=f"load-test-{uuid.uuid4().hex[:12]}")
    parser.add_argument("--preset", default="health")
    parser.add_argument("--target", default="sim_local")
    parser.add_argument(
        "--timeout", type=_positive_float, default=600.0, help="seconds for every run to finish"
    )
    parser.add_argument(
        "--poll-interval",
        type=_positive_float,
        default=1.0,
        help="seconds between polls of one run; concurrency / poll interval is the request "
        "rate, keep it under the server's SYNQC_RATE_LIMIT_PER_MINUTE / 60",
    )
    parser.add_argument("--strict", action=argparse.BooleanOptionalAction, default=True)
    options = parser.parse_args(argv)
    options.metrics_url = options.metrics_url or ["http://127.0.0.1:9000/metrics"]
    if options.api_key:
        options.api_key = options.api_key.split(",")[0].strip()
    return options


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _http_url(text: str) -> str:
    url = httpx.URL(text)
    if url.scheme not in {"http", "https"} or not url.host:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text.rstrip("/")


def _health(client: httpx.Client) -> dict[str, Any] | None:
    try:
        response = client.get("/health")
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    health: dict[str, Any] = response.json()
    return health


def _drained_health(client: httpx.Client, test_deadline: float) -> dict[str, Any] | None:
    """/health once the queue is empty, or the last reading after `DRAIN_WAIT_S`.

    Past the test's own deadline (`--timeout`) it reads once: the test is already late.
    """
    deadline = min(time.monotonic() + DRAIN_WAIT_S, test_deadline)
    while True:
        health = _health(client)
        queue = None if health is None else health["queue"]
        empty = queue is not None and queue["queued"] == 0 and queue["running"] == 0
        if empty or time.monotonic() > deadline:
            return health
        time.sleep(0.5)


def _scrape(urls: list[str]) -> list[MetricsReading]:
    return [read_metrics(url) for url in urls]


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    headers = {"X-Session-Id": options.session_id}
    if options.api_key:
        headers["X-Api-Key"] = options.api_key
    with httpx.Client(
        base_url=options.base_url, headers=headers, timeout=REQUEST_TIMEOUT_S
    ) as client:
        before = _health(client)
        if before is None:
            print(f"load test: {options.base_url}/health is unreachable", file=sys.stderr)
            return 1
        if options.preset not in before["presets"]:
            known = ", ".join(before["presets"])
            message = f"unknown preset {options.preset!r} (the server has {known})"
            print(f"load test: {message}", file=sys.stderr)
            return 2
        metrics_before = _scrape(options.metrics_url)
        began = time.monotonic()
        test = LoadTest(options, client, deadline=began + options.timeout)
        with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
            outcomes = list(pool.map(test.run_one, range(options.runs)))
        elapsed_s = time.monotonic() - began
        after = _drained_health(client, test.deadline)
        metrics_after = _scrape(options.metrics_url)
    summary = Summary(
        options.runs,
        outcomes,
        elapsed_s,
        before,
        after,
        metrics_before,
        metrics_after,
        test.waits_s,
    )
    lines, problems = render(summary)
    print(
        f"load test: {options.runs} {options.preset} runs on {options.target}, concurrency "
        f"{options.concurrency}, against {options.base_url} (session {options.session_id})"
    )
    print("\n".join(lines))
    if problems and options.strict:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
