"""The load test's verdict on what it saw: each strict check fails on its own evidence."""

from typing import Any

import pytest
from load_test_report import MetricsReading, RunOutcome, Summary, percentile, render

REDIS_QUEUE = "dramatiq-redis"


def health(
    queued: int = 0, running: int = 0, redis_connected: bool = True, backend: str = REDIS_QUEUE
) -> dict[str, Any]:
    """A /health body with the fields the summary reads."""
    return {
        "queue": {"backend": backend, "queued": queued, "running": running},
        "budget_tracker": {
            "backend": "redis" if redis_connected else "memory",
            "redis_connected": redis_connected,
            "session_keys": 1,
        },
    }


def reading(connected: float = 1, succeeded: float = 0, churn: float = 0) -> MetricsReading:
    backend = {"backend": "redis" if connected else "memory"}
    return MetricsReading(
        "http://127.0.0.1:9000/metrics",
        {
            "synqc_redis_connected": [(backend, connected)],
            "synqc_queue_jobs_queued": [({}, 0)],
            "synqc_budget_session_key_churn_total": [(backend, churn)],
            "synqc_runs_total": [({"status": "succeeded", "preset": "health"}, succeeded)],
        },
    )


def done(status: str = "succeeded", code: str | None = None) -> RunOutcome:
    return RunOutcome("run", status, code, 0.05, 2.0)


def summary(outcomes: list[RunOutcome], **changes: Any) -> Summary:
    values: dict[str, Any] = {
        "requested": len(outcomes),
        "outcomes": outcomes,
        "elapsed_s": 10.0,
        "health_before": health(),
        "health_after": health(),
        "metrics_before": [reading()],
        "metrics_after": [reading(succeeded=len(outcomes), churn=1)],
    }
    values.update(changes)
    return Summary(**values)


def test_a_clean_run_passes_and_reports_every_line() -> None:
    lines, problems = render(summary([done(), done(), done()]))
    assert problems == []
    text = "\n".join(lines)
    assert "3 / 3 submitted (3 requested), 3 succeeded, in 10.0 s (0.30 runs/s)" in text
    assert "failures by code    none" in text
    assert "queue drained       yes (queued 0, running 0, backend dramatiq-redis" in text
    assert "redis connected     yes (budget backend redis, metrics min 1)" in text
    assert "1 sessions hold a budget; key churn +1" in text
    assert "synqc_runs_total cancelled +0, failed +0, succeeded +3" in text
    assert lines[-1].endswith("PASS")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"health_after": health(redis_connected=False)}, "Redis disconnected"),
        ({"metrics_after": [reading(connected=0, succeeded=2)]}, "Redis disconnected"),
        ({"health_after": health(queued=2)}, "queue not drained (queued 2, running 0)"),
        ({"health_after": None}, "/health unreachable after the test"),
        (
            {"metrics_after": [MetricsReading("http://x:9000/metrics", error="refused")]},
            "metrics unreachable at http://x:9000/metrics",
        ),
    ],
)
def test_each_strict_check_fails_on_its_own(changes: dict[str, Any], problem: str) -> None:
    _lines, problems = render(summary([done(), done()], **changes))
    assert problems == [problem]


def test_failed_refused_and_unfinished_runs_are_told_apart() -> None:
    outcomes = [
        done(),
        done("failed", "TIMEOUT"),
        RunOutcome(error_code="BUDGET_EXHAUSTED", submit_latency_s=0.01),
        RunOutcome("late", None, "UNFINISHED", 0.02, None),
    ]
    lines, problems = render(summary(outcomes))
    assert problems == [
        "1 of 3 submitted runs unfinished",
        "1 runs failed or were cancelled",
        "1 submissions refused",
    ]
    assert "BUDGET_EXHAUSTED 1, TIMEOUT 1, UNFINISHED 1" in "\n".join(lines)


def test_an_embedded_deployment_does_not_need_redis() -> None:
    embedded = health(redis_connected=False, backend="dramatiq-stub")
    lines, problems = render(summary([done()], health_before=embedded, health_after=embedded))
    assert problems == []
    assert "redis connected     not used (queue backend dramatiq-stub)" in lines


@pytest.mark.parametrize(("q", "expected"), [(50, 5.0), (95, 10.0), (99, 10.0), (10, 1.0)])
def test_percentiles_are_nearest_rank(q: float, expected: float) -> None:
    assert percentile([float(v) for v in range(10, 0, -1)], q) == expected


def test_waits_the_server_asked_for_are_reported_not_failed() -> None:
    lines, problems = render(summary([done()], rate_limited_waits_s=[12.0, 3.5]))
    assert problems == []
    assert "rate limited        2 waits, 15.5 s in all, as Retry-After asked" in lines
    quiet, _ = render(summary([done()]))
    assert "rate limited        no" in quiet
