"""Metrics: real scrapes of started exporters over HTTP, on a real SQLite run table."""

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from synqc_backend.config import Settings
from synqc_backend.limits.budgets import InMemoryBudget
from synqc_backend.metrics import (
    PORT_SPAN,
    PROCESS_LABEL,
    CollectorSources,
    MetricsExporter,
    RunMetrics,
    start_exporter,
)
from synqc_backend.models import Preset
from synqc_backend.runs.qubit_record import record_qubit_measurements
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import QueueCounts, RunRepository
from synqc_backend.storage.tables import MonitorRow, RunRow
from tests.conftest import make_settings

T0 = 1_717_000_000.0
NOW = T0 + 42.5
TARGETS = ("sim_local", "ibm_quantum")
LIMIT, TTL_S = 10_000, 3600

CONTRACT_SERIES = {
    "synqc_redis_connected",
    "synqc_budget_session_keys",
    "synqc_budget_session_key_churn_total",
    "synqc_queue_jobs_queued",
    "synqc_queue_jobs_running",
    "synqc_queue_oldest_queued_age_seconds",
    "synqc_queue_max_workers",
    "synqc_runs_total",
    "synqc_run_duration_seconds",
    "synqc_shots_total",
}
SHARED_GAUGES = (
    "synqc_queue_jobs_queued",
    "synqc_queue_jobs_running",
    "synqc_queue_oldest_queued_age_seconds",
    "synqc_queue_max_workers",
    "synqc_budget_session_keys",
)

# (series name, labels without `process`) → value
Scrape = dict[tuple[str, frozenset[tuple[str, str]]], float]


class ReachableRedisBudget(InMemoryBudget):
    """In-memory counters that report what a tracker on a reachable Redis reports."""

    backend = "redis"
    redis_connected = True


@dataclass
class FakeQueue:
    backend: str = "dramatiq-redis"
    max_workers: int = 4


def make_run(run_id: str, status: str, created_at: float, target: str = "sim_local") -> RunRow:
    return RunRow(
        id=run_id,
        session_id="session-a",
        preset="hello_quantum_sim",
        preset_version=1,
        hardware_target=target,
        status=status,
        created_at=created_at,
        shot_budget=1000,
        request={},
        control_profile={},
        target_snapshot={},
        timeline={},
    )


def scrape(exporter: MetricsExporter) -> Scrape:
    response = httpx.get(exporter.url, timeout=5.0)
    response.raise_for_status()
    values: Scrape = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            assert sample.labels[PROCESS_LABEL] == exporter.process
            labels = frozenset((k, v) for k, v in sample.labels.items() if k != PROCESS_LABEL)
            values[sample.name, labels] = sample.value
    return values


def value(values: Scrape, name: str, **labels: str) -> float:
    return values[name, frozenset(labels.items())]


def names(values: Scrape) -> set[str]:
    return {name for name, _ in values}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'synqc.db'}"


@pytest.fixture
def metrics_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, enable_metrics=True, metrics_port=0)


@pytest.fixture
def start(metrics_settings: Settings) -> Iterator[Callable[..., MetricsExporter]]:
    """Starts exporters on free loopback ports; stops every one at the end of the test."""
    started: list[MetricsExporter] = []

    def start_one(
        database: Database, settings: Settings = metrics_settings, **sources: Any
    ) -> MetricsExporter:
        collector_sources = CollectorSources(
            database=database,
            budget=sources.get("budget", InMemoryBudget(LIMIT, TTL_S)),
            queue=sources.get("queue", FakeQueue()),
            run_metrics=sources.get("run_metrics", RunMetrics(TARGETS)),
            clock=lambda: NOW,
        )
        exporter = start_exporter(settings, collector_sources, host="127.0.0.1")
        assert exporter is not None
        started.append(exporter)
        return exporter

    yield start_one
    for exporter in started:
        exporter.stop()


def test_every_contract_series_is_exposed(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    run_metrics = RunMetrics(TARGETS)
    run_metrics.run_finished("health", "sim_local", "succeeded", 1.5, 2048)
    exporter = start(database, run_metrics=run_metrics)

    exposed = {
        name.removesuffix("_bucket").removesuffix("_count") for name in names(scrape(exporter))
    }

    assert exposed >= CONTRACT_SERIES


def test_an_openmetrics_scrape_parses_with_the_process_label(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    exporter = start(database)
    # What Prometheus asks for first; the strict parser rejects a malformed family.
    accept = {"Accept": "application/openmetrics-text; version=1.0.0"}

    response = httpx.get(exporter.url, headers=accept, timeout=5.0)

    assert response.headers["content-type"].startswith("application/openmetrics-text")
    families = list(openmetrics_families(response.text))  # type: ignore[no-untyped-call]
    assert {family.name for family in families} >= {"synqc_runs", "synqc_queue_jobs_queued"}
    assert all(
        sample.labels[PROCESS_LABEL] == exporter.process
        for family in families
        for sample in family.samples
    )


def test_finished_runs_move_the_counters_and_the_histogram(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    run_metrics = RunMetrics(TARGETS)
    exporter = start(database, run_metrics=run_metrics)
    before = scrape(exporter)

    run_metrics.run_finished("hello_quantum_sim", "sim_local", "succeeded", 0.3, 1024)
    run_metrics.run_finished("hello_quantum_sim", "sim_local", "succeeded", 2.0, 1024)
    run_metrics.run_finished("hello_quantum_sim", "sim_local", "failed", 0.05, 100)
    run_metrics.run_finished("health", "ibm_quantum", "cancelled", None, 0)
    after = scrape(exporter)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    hello = {"preset": "hello_quantum_sim", "hardware_target": "sim_local"}
    assert moved("synqc_runs_total", **hello, status="succeeded") == 2
    assert moved("synqc_runs_total", **hello, status="failed") == 1
    assert (
        moved(
            "synqc_runs_total", preset="health", hardware_target="ibm_quantum", status="cancelled"
        )
        == 1
    )
    assert moved("synqc_shots_total", hardware_target="sim_local") == 2148
    assert moved("synqc_shots_total", hardware_target="ibm_quantum") == 0
    assert value(after, "synqc_run_duration_seconds_count", **hello) == 3
    assert value(after, "synqc_run_duration_seconds_sum", **hello) == pytest.approx(2.35)
    assert value(after, "synqc_run_duration_seconds_bucket", **hello, le="0.5") == 2
    # A run cancelled before it started is counted but has no duration.
    health = {"preset": "health", "hardware_target": "ibm_quantum"}
    assert ("synqc_run_duration_seconds_count", frozenset(health.items())) not in after


def test_known_label_values_start_at_zero(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    values = scrape(start(database))

    runs = {labels for name, labels in values if name == "synqc_runs_total"}
    assert len(runs) == len(Preset) * len(TARGETS) * 3  # x succeeded, failed, cancelled
    assert all(values["synqc_runs_total", labels] == 0 for labels in runs)


def test_label_values_outside_the_known_sets_are_counted_as_other(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    run_metrics = RunMetrics(TARGETS)
    exporter = start(database, run_metrics=run_metrics)

    run_metrics.run_finished("no_such_preset", "user-supplied-id", "running", -1.0, -5)
    values = scrape(exporter)

    other = {"preset": "other", "hardware_target": "other"}
    assert value(values, "synqc_runs_total", **other, status="other") == 1
    assert value(values, "synqc_shots_total", hardware_target="other") == 0
    assert value(values, "synqc_run_duration_seconds_sum", **other) == 0


def test_queue_gauges_equal_the_run_table(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    states = ["queued"] * 3 + ["running"] * 2 + ["succeeded", "failed", "cancelled"]
    with database.unit_of_work() as session:
        for index, state in enumerate(states):
            RunRepository(session).add(make_run(f"run-{index}", state, T0 + index))
    with database.unit_of_work() as session:
        counts: QueueCounts = RunRepository(session).queue_counts()
    exporter = start(database, queue=FakeQueue(max_workers=6))

    values = scrape(exporter)

    assert value(values, "synqc_queue_jobs_queued") == counts.by_status["queued"] == 3
    assert value(values, "synqc_queue_jobs_running") == counts.by_status["running"] == 2
    assert counts.oldest_queued_created_at == T0
    assert value(values, "synqc_queue_oldest_queued_age_seconds") == NOW - T0
    assert value(values, "synqc_queue_max_workers") == 6


@pytest.mark.parametrize("backend", ["dramatiq-redis", "dramatiq-stub"])
def test_the_queue_backend_is_labelled(
    database: Database, start: Callable[..., MetricsExporter], backend: str
) -> None:
    values = scrape(start(database, queue=FakeQueue(backend=backend)))

    assert value(values, "synqc_queue_backend_info", backend=backend) == 1
    assert [name for name, _ in values if name == "synqc_queue_backend_info"] == [
        "synqc_queue_backend_info"
    ]


def test_an_empty_queue_has_zero_age(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    values = scrape(start(database))

    assert value(values, "synqc_queue_jobs_queued") == 0
    assert value(values, "synqc_queue_oldest_queued_age_seconds") == 0


@pytest.mark.parametrize(
    ("tracker", "connected"),
    [(InMemoryBudget, 0), (ReachableRedisBudget, 1)],
    ids=["memory", "redis"],
)
def test_budget_series_follow_the_tracker(
    database: Database,
    start: Callable[..., MetricsExporter],
    tracker: type[InMemoryBudget],
    connected: int,
) -> None:
    budget = tracker(LIMIT, TTL_S)
    for session in ("a", "b", "c"):
        budget.reserve(session, 100)
    budget.reserve("a", 100)  # an open session: no churn

    values = scrape(start(database, budget=budget))

    assert value(values, "synqc_redis_connected", backend=budget.backend) == connected
    assert value(values, "synqc_budget_session_keys", backend=budget.backend) == 3
    assert value(values, "synqc_budget_session_key_churn_total", backend=budget.backend) == 3


def test_two_processes_report_the_same_shared_gauges(
    database: Database, database_url: str, start: Callable[..., MetricsExporter]
) -> None:
    with database.unit_of_work() as session:
        for index, state in enumerate(["queued", "queued", "running", "failed"]):
            RunRepository(session).add(make_run(f"run-{index}", state, T0 + index))
    shared_budget = ReachableRedisBudget(LIMIT, TTL_S)  # stands in for the shared Redis
    shared_budget.reserve("session-a", 10)
    # Two "processes": each its own connection pool, run metrics and exporter; one store.
    other_database = Database(database_url)
    try:
        first = start(database, budget=shared_budget)
        second = start(other_database, budget=shared_budget)
        one, two = scrape(first), scrape(second)
    finally:
        other_database.dispose()

    assert first.process != second.process
    for name in SHARED_GAUGES:
        assert [v for (n, _), v in one.items() if n == name] == [
            v for (n, _), v in two.items() if n == name
        ], name
    assert value(one, "synqc_queue_jobs_queued") == 2
    assert value(one, "synqc_queue_jobs_running") == 1
    assert value(one, "synqc_budget_session_keys", backend="redis") == 1


def test_an_unreachable_store_leaves_out_only_the_queue_counts(
    tmp_path: Path, start: Callable[..., MetricsExporter]
) -> None:
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # no runs table
    try:
        values = scrape(start(unmigrated))
    finally:
        unmigrated.dispose()

    exposed = names(values)
    assert "synqc_queue_jobs_queued" not in exposed
    assert {"synqc_queue_max_workers", "synqc_redis_connected", "synqc_runs_total"} <= exposed


def test_disabled_metrics_start_no_exporter(tmp_path: Path, database: Database) -> None:
    settings = make_settings(tmp_path, enable_metrics=False, metrics_port=0)
    sources = CollectorSources(
        database, InMemoryBudget(LIMIT, TTL_S), FakeQueue(), RunMetrics(TARGETS)
    )

    assert start_exporter(settings, sources) is None


def test_a_busy_port_moves_the_next_process_up(
    tmp_path: Path, database: Database, start: Callable[..., MetricsExporter]
) -> None:
    first = start(database)
    settings = make_settings(tmp_path, enable_metrics=True, metrics_port=first.port)

    second = start(database, settings=settings)

    assert first.port < second.port < first.port + PORT_SPAN
    assert scrape(second)  # the moved exporter serves too


def test_stop_closes_the_socket_and_the_thread(
    metrics_settings: Settings, database: Database
) -> None:
    sources = CollectorSources(
        database, InMemoryBudget(LIMIT, TTL_S), FakeQueue(), RunMetrics(TARGETS)
    )
    exporter = start_exporter(metrics_settings, sources, host="127.0.0.1")
    assert exporter is not None
    with exporter:
        assert scrape(exporter)

    assert not exporter._thread.is_alive()
    with socket.socket() as probe:
        # SO_REUSEADDR ignores closed connections in TIME_WAIT, not a socket still listening.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", exporter.port))
        probe.listen()


def test_nothing_is_registered_globally(database: Database) -> None:
    RunMetrics(TARGETS).run_finished("health", "sim_local", "succeeded", 1.0, 10)

    assert not [m for m in REGISTRY.collect() if m.name.startswith("synqc")]


def test_qubit_and_monitor_series_come_from_the_run_store(
    database: Database, start: Callable[..., MetricsExporter]
) -> None:
    run = make_run("run-q", "succeeded", NOW - 60)
    run.finished_at = NOW - 50
    measured = {"t1_s": 40e-6, "t2_echo_s": 50e-6, "epc": 4e-4, "readout_assignment_fidelity": 0.97}
    run.result = {
        "measurements": [
            {
                "name": name,
                "value": v,
                "stderr": v / 20,
                "quality": "good",
                "qubit": 5,
                "reported": 100e-6 if name == "t1_s" else None,
            }
            for name, v in measured.items()
        ]
    }
    with database.unit_of_work() as session:
        repository = RunRepository(session)
        repository.add(run)
        record_qubit_measurements(repository, run)
        repository.add_monitor(
            MonitorRow(
                id="mon-1",
                session_id="monitor-mon-1",
                hardware_target="sim_local",
                request={"preset": "health"},
                every="PT5M",
                paused=False,
                created_at=NOW - 900,
                updated_at=NOW,
                next_due_at=NOW + 300,
                last_success_at=NOW - 50,
                consecutive_failures=0,
            )
        )

    values = scrape(start(database))

    qubit = {"target": "sim_local", "qubit": "5"}
    assert value(values, "synqc_qubit_t1_seconds", **qubit) == pytest.approx(40e-6)
    assert value(values, "synqc_qubit_t2_seconds", **qubit) == pytest.approx(50e-6)
    assert value(values, "synqc_qubit_epc", **qubit) == pytest.approx(4e-4)
    assert value(values, "synqc_qubit_readout_fidelity", **qubit) == pytest.approx(0.97)
    # T1 is 60 % below what the target reports: degraded.
    assert value(values, "synqc_qubit_status", **qubit) == 2
    assert value(values, "synqc_monitor_last_success_timestamp_seconds", monitor="mon-1") == (
        NOW - 50
    )
    assert value(values, "synqc_monitor_interval_seconds", monitor="mon-1") == 300
