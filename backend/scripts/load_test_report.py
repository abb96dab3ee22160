"""What a load test saw (`load_test.py`): run outcomes, /metrics readings, the printed summary.

`render` returns the summary lines and the strict checks that failed, in words.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

METRICS_TIMEOUT_S = 10.0
QUEUED = "synqc_queue_jobs_queued"
RUNNING = "synqc_queue_jobs_running"
REDIS_CONNECTED = "synqc_redis_connected"
SESSION_KEYS = "synqc_budget_session_keys"
KEY_CHURN = "synqc_budget_session_key_churn_total"
RUNS = "synqc_runs_total"


@dataclass
class RunOutcome:
    """One run of the test; `final_status` None = never submitted, or not final in time."""

    run_id: str | None = None
    final_status: str | None = None
    error_code: str | None = None
    submit_latency_s: float | None = None
    completion_latency_s: float | None = None


type Labels = dict[str, str]


@dataclass(frozen=True)
class MetricsReading:
    """One scrape of a /metrics URL: samples by name, or the reason it failed."""

    url: str
    samples: dict[str, list[tuple[Labels, float]]] = field(default_factory=dict)
    error: str | None = None

    def values(self, name: str, **labels: str) -> list[float]:
        return [
            value
            for sample_labels, value in self.samples.get(name, [])
            if all(sample_labels.get(key) == wanted for key, wanted in labels.items())
        ]

    def total(self, name: str, **labels: str) -> float:
        return sum(self.values(name, **labels))


def read_metrics(url: str) -> MetricsReading:
    """Scrape `url` once; a failed scrape is a reading with `error` set."""
    try:
        response = httpx.get(url, timeout=METRICS_TIMEOUT_S)
        response.raise_for_status()
        samples: dict[str, list[tuple[Labels, float]]] = {}
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                samples.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    except (httpx.HTTPError, ValueError) as error:
        return MetricsReading(url, error=f"{type(error).__name__}: {error}")
    return MetricsReading(url, samples)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile `q` (0-100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """Everything a load test observed; health readings are /health bodies (None: unreachable)."""

    requested: int
    outcomes: list[RunOutcome]
    elapsed_s: float
    health_before: dict[str, Any]
    health_after: dict[str, Any] | None
    metrics_before: list[MetricsReading]
    metrics_after: list[MetricsReading]
    rate_limited_waits_s: list[float] = field(default_factory=list)


def render(summary: Summary) -> tuple[list[str], list[str]]:
    """(summary lines, strict-mode problems); no problems means the test passed."""
    lines: list[str] = []
    problems: list[str] = []
    for section in (_runs, _latency, _queue, _redis, _budget, _metrics):
        section(summary, lines, problems)
    verdict = "PASS" if not problems else "FAIL: " + "; ".join(problems)
    lines.append(f"{'verdict':<20}{verdict}")
    return lines, problems


def _runs(summary: Summary, lines: list[str], problems: list[str]) -> None:
    outcomes = summary.outcomes
    submitted = sum(o.run_id is not None for o in outcomes)
    finished = sum(o.final_status is not None for o in outcomes)
    succeeded = sum(o.final_status == "succeeded" for o in outcomes)
    failures = Counter(o.error_code for o in outcomes if o.error_code is not None)
    rate = finished / summary.elapsed_s if summary.elapsed_s > 0 else 0.0
    lines.append(
        f"{'runs finished':<20}{finished} / {submitted} submitted ({summary.requested} requested)"
        f", {succeeded} succeeded, in {summary.elapsed_s:.1f} s ({rate:.2f} runs/s)"
    )
    by_code = ", ".join(f"{code} {count}" for code, count in sorted(failures.items()))
    lines.append(f"{'failures by code':<20}{by_code or 'none'}")
    if submitted > finished:
        problems.append(f"{submitted - finished} of {submitted} submitted runs unfinished")
    if finished > succeeded:
        problems.append(f"{finished - succeeded} runs failed or were cancelled")
    if summary.requested > submitted:
        problems.append(f"{summary.requested - submitted} submissions refused")


def _latency(summary: Summary, lines: list[str], _problems: list[str]) -> None:
    submit = [o.submit_latency_s * 1e3 for o in summary.outcomes if o.submit_latency_s is not None]
    done = [o.completion_latency_s for o in summary.outcomes if o.completion_latency_s is not None]
    lines.append(f"{'submit latency':<20}{_percentiles(submit, 'ms')}")
    lines.append(f"{'completion latency':<20}{_percentiles(done, 's')}")
    waits = summary.rate_limited_waits_s
    told = f"{len(waits)} waits, {sum(waits):.1f} s in all, as Retry-After asked" if waits else "no"
    lines.append(f"{'rate limited':<20}{told}")


def _percentiles(values: list[float], unit: str) -> str:
    if not values:
        return "n/a"
    points = ", ".join(f"p{q} {percentile(values, q):.1f}" for q in (50, 95, 99))
    return f"{points}, max {max(values):.1f} {unit} (n={len(values)})"


def _queue(summary: Summary, lines: list[str], problems: list[str]) -> None:
    health = summary.health_after
    if health is None:
        lines.append(f"{'queue drained':<20}unknown: /health unreachable after the test")
        problems.append("/health unreachable after the test")
        return
    queue = health["queue"]
    queued, running = queue.get("queued"), queue.get("running")
    drained = queued == 0 and running == 0
    gauges = [r.values(QUEUED) for r in summary.metrics_after if r.error is None]
    from_metrics = max((max(v) for v in gauges if v), default=None)
    scraped = "" if from_metrics is None else f"; metrics queued {from_metrics:g}"
    lines.append(
        f"{'queue drained':<20}{'yes' if drained else 'no'} "
        f"(queued {queued}, running {running}, backend {queue['backend']}{scraped})"
    )
    if not drained:
        problems.append(f"queue not drained (queued {queued}, running {running})")


def _redis(summary: Summary, lines: list[str], problems: list[str]) -> None:
    health = summary.health_after or summary.health_before
    uses_redis = "redis" in health["queue"]["backend"]
    tracker = health["budget_tracker"]
    readings = [r.values(REDIS_CONNECTED) for r in summary.metrics_after if r.error is None]
    lowest = min((min(v) for v in readings if v), default=None)
    scraped = "" if lowest is None else f", metrics min {lowest:g}"
    if not uses_redis:
        backend = health["queue"]["backend"]
        lines.append(f"{'redis connected':<20}not used (queue backend {backend})")
        return
    connected = bool(tracker["redis_connected"]) and lowest != 0
    lines.append(
        f"{'redis connected':<20}{'yes' if connected else 'no'} "
        f"(budget backend {tracker['backend']}{scraped})"
    )
    if not connected:
        problems.append("Redis disconnected")


def _budget(summary: Summary, lines: list[str], _problems: list[str]) -> None:
    health = summary.health_after or summary.health_before
    keys = health["budget_tracker"]["session_keys"]
    pairs = zip(summary.metrics_before, summary.metrics_after, strict=True)
    churn = sum(
        after.total(KEY_CHURN) - before.total(KEY_CHURN)
        for before, after in pairs
        if before.error is None and after.error is None
    )
    lines.append(f"{'budget keys':<20}{keys} sessions hold a budget; key churn +{churn:g}")


def _metrics(summary: Summary, lines: list[str], problems: list[str]) -> None:
    readings = summary.metrics_before + summary.metrics_after
    failed = [r for r in readings if r.error is not None]
    total = len(summary.metrics_after)
    reachable = sum(r.error is None for r in summary.metrics_after)
    pairs = zip(summary.metrics_before, summary.metrics_after, strict=True)
    deltas: Counter[str] = Counter()
    for before, after in pairs:
        if before.error is None and after.error is None:
            for status in ("succeeded", "failed", "cancelled"):
                change = after.total(RUNS, status=status) - before.total(RUNS, status=status)
                deltas[status] += int(change)
    counted = ", ".join(f"{status} +{deltas[status]}" for status in sorted(deltas))
    lines.append(
        f"{'metrics':<20}{reachable} of {total} reachable; synqc_runs_total {counted or 'n/a'}"
    )
    first_errors = {r.url: r.error for r in reversed(failed)}
    lines.extend(f"{'':<20}{url}: {error}" for url, error in sorted(first_errors.items()))
    if failed:
        problems.append(f"metrics unreachable at {', '.join(sorted({r.url for r in failed}))}")
