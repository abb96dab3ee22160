"""Every Prometheus series of the service, the :9000 exporter and its scrape-time collector.

Series (API_CONTRACT.md "Prometheus series"); every one also carries the `process` label.
- Read at scrape time from the shared state, so equal in every process: the queue gauges
  `synqc_queue_jobs_queued`, `synqc_queue_jobs_running`, `synqc_queue_oldest_queued_age_seconds`
  (0 when nothing is queued) from one `queue_counts()` per scrape, `synqc_queue_max_workers`
  (worker threads per worker process, as in /health), `synqc_budget_session_keys{backend}`,
  and `synqc_queue_backend_info{backend}` (always 1; `dramatiq-redis` in production, so alert
  rules about Redis can leave out the embedded default, which never has Redis).
- Read at scrape time from the run store, so equal in every process: per qubit a run has
  measured (labels `target`, `qubit`; at most `MAX_QUBIT_SERIES` qubits per target, so the
  cardinality is bounded by the devices measured, not by runs): `synqc_qubit_t1_seconds`,
  `synqc_qubit_t2_seconds` (T2 echo), `synqc_qubit_epc`, `synqc_qubit_readout_fidelity` (the
  latest good values) and `synqc_qubit_status` (qubit_drift_v1: 0 ok, 1 drifting, 2 degraded);
  per monitor (label `monitor`): `synqc_monitor_last_success_timestamp_seconds` (once it has
  succeeded) and `synqc_monitor_interval_seconds` (active monitors only).
- Read at scrape time from this process's budget tracker: `synqc_redis_connected{backend}`
  (this process's view of Redis) and `synqc_budget_session_key_churn_total{backend}` (sessions
  opened by this process). All three budget series come from `budget.budget_snapshot`, the
  reading /health makes, so the two agree.
- Recorded by this process when a run ends (`RunMetrics.run_finished`):
  `synqc_runs_total{preset,hardware_target,status}`,
  `synqc_run_duration_seconds{preset,hardware_target}` (histogram),
  `synqc_shots_total{hardware_target}`. Label values are bounded: presets and finished states
  are enums, targets are the registry's ids; anything else is counted as `other`.
- A source that cannot be read (store down) leaves its series out of that scrape — unknown,
  not zero — and the rest is still served.

Multi-process choice: **one exporter per process, every series labelled `process`**, not
prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR), because
- multiprocess mode is process-global (chosen from the environment when prometheus-client is
  imported, every metric of every registry goes to mmap files that a supervisor must wipe),
  which breaks a registry per service graph, many apps per test process, and STYLE rules 9/10;
- it only aggregates the processes of one machine: workers on other machines need their own
  exporter anyway, so per-process targets are needed in any case;
- the queue and session gauges are read from the shared state at scrape time, so they are
  already equal everywhere; only counters differ per process, and Prometheus sums those.

Consequences for operators and scrape configs:
- Each process binds the first free port of `SYNQC_METRICS_PORT … SYNQC_METRICS_PORT+31`: one
  process per container gets :9000; `uvicorn --workers N` or several `synqc worker` processes
  on one host get :9000, :9001, … in start order. Scrape each process as its own target (a
  static list of ports per host, or file/DNS service discovery).
- `process` is `<role>-<port>` (e.g. `api-9000`, `worker-9001`): stable across restarts, so a
  restarted process resets its counters within the same series, which `rate()` handles.
- Counters and the histogram: aggregate with `sum without (instance, process) (rate(...))`.
  Queue and session-key gauges come once per process with equal values: use
  `max without (instance, process) (...)`, never `sum`; `synqc_redis_connected` per process
  (`min` tells whether any process is on its in-memory fallback).
- Counters start at zero when a process starts; a process that dies between scrapes loses the
  increments since its last scrape (the run table remains the source of truth).
"""

import errno
import logging
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from threading import Thread
from types import TracebackType
from typing import Any, Protocol, Self
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Histogram, make_wsgi_app
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from synqc_backend.config import Settings
from synqc_backend.limits.budgets import BudgetSnapshot, BudgetTracker, budget_snapshot
from synqc_backend.models import Preset, RunState
from synqc_backend.runs.monitors import monitor_view
from synqc_backend.runs.qubit_states import QUANTITIES, qubit_states
from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import QueueCounts, RunRepository

log = logging.getLogger(__name__)

PROCESS_LABEL = "process"
# Qubits per target the qubit gauges show (the first by index): bounds their cardinality.
MAX_QUBIT_SERIES = 1024
QUBIT_STATUS_VALUES = {"ok": 0, "drifting": 1, "degraded": 2}
# QubitState field: (series name after `synqc_qubit_`, help).
QUBIT_GAUGES = {
    "t1_s": ("t1_seconds", "The qubit's latest good T1 (s)."),
    "t2_echo_s": ("t2_seconds", "The qubit's latest good Hahn-echo T2 (s)."),
    "epc": ("epc", "The qubit's latest good error per Clifford."),
    "readout_assignment_fidelity": (
        "readout_fidelity",
        "The qubit's latest good readout assignment fidelity.",
    ),
}
OTHER = "other"
# Ports tried from `metrics_port` on, so several processes of one host each get their own.
PORT_SPAN = 32
# Seconds the serving thread may take to notice `stop()` (prometheus-client's server: 0.5).
POLL_INTERVAL_S = 0.1
# Seconds: a simulator run takes a fraction of a second, a queued cloud job can take an hour.
RUN_DURATION_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
PRESET_LABELS = frozenset(preset.value for preset in Preset)
STATUS_LABELS = frozenset(state.value for state in RunState if state.finished)


class RunMetrics:
    """The per-run series of one process, in a registry of its own (none is global).

    - The engine calls `run_finished` once per run that reaches a finished state.
    - Every known (preset, target, status) starts at 0, so `rate()` sees the first run.
    """

    def __init__(self, hardware_targets: Iterable[str]) -> None:
        self.registry = CollectorRegistry()
        self._targets = frozenset(hardware_targets)
        self._runs = Counter(
            "synqc_runs",
            "Runs that reached a finished state, by preset, target and final status.",
            ["preset", "hardware_target", "status"],
            registry=self.registry,
        )
        self._duration = Histogram(
            "synqc_run_duration_seconds",
            "Execution time of finished runs (started to finished), in seconds.",
            ["preset", "hardware_target"],
            buckets=RUN_DURATION_BUCKETS,
            registry=self.registry,
        )
        self._shots = Counter(
            "synqc_shots",
            "Shots executed by finished runs, by target.",
            ["hardware_target"],
            registry=self.registry,
        )
        for target in sorted(self._targets):
            self._shots.labels(target)
            for preset in sorted(PRESET_LABELS):
                for status in sorted(STATUS_LABELS):
                    self._runs.labels(preset, target, status)

    def run_finished(
        self,
        preset: str,
        hardware_target: str,
        status: str,
        duration_s: float | None,
        shots: int,
    ) -> None:
        """Count one finished run; never raises, so recording cannot break a run.

        - `duration_s`: seconds from start to finish; None for a run that never started
          (cancelled while queued), which is counted but not observed in the histogram.
        - `shots`: shots the run executed (0 for one that never ran).
        """
        preset_label = _bounded("preset", preset, PRESET_LABELS)
        target_label = _bounded("hardware_target", hardware_target, self._targets)
        status_label = _bounded("status", status, STATUS_LABELS)
        self._runs.labels(preset_label, target_label, status_label).inc()
        self._shots.labels(target_label).inc(max(0, shots))
        if duration_s is not None:
            self._duration.labels(preset_label, target_label).observe(max(0.0, duration_s))

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


def _bounded(name: str, value: str, allowed: frozenset[str]) -> str:
    if value in allowed:
        return value
    log.warning("metrics: unexpected %s %r counted as %r", name, value, OTHER)
    return OTHER


class QueueSource(Protocol):
    """What the collector reads from the run queue (`queue.RunQueue`)."""

    @property
    def backend(self) -> str: ...

    @property
    def max_workers(self) -> int: ...


@dataclass(frozen=True)
class CollectorSources:
    """Everything one process's exporter reads; `clock` is epoch seconds (tests fix it)."""

    database: Database
    budget: BudgetTracker
    queue: QueueSource
    run_metrics: RunMetrics
    clock: Callable[[], float] = field(default=time.time)


class SharedStateCollector:
    """Queue and budget series, read at every scrape (see the module docstring)."""

    def __init__(self, sources: CollectorSources) -> None:
        self._sources = sources

    def collect(self) -> Iterator[Metric]:
        yield from self._budget()
        yield from self._queue()
        yield from self._qubits()
        yield from self._monitors()

    def _qubits(self) -> Iterator[Metric]:
        try:
            with self._sources.database.unit_of_work() as session:
                repository = RunRepository(session)
                states = {
                    target: qubit_states(
                        repository.latest_qubit_measurements(target, QUANTITIES), None
                    )[:MAX_QUBIT_SERIES]
                    for target in repository.measured_targets()
                }
        except Exception:
            log.warning("metrics: qubit states unavailable", exc_info=True)
            return
        labels = ["target", "qubit"]
        families = {
            name: GaugeMetricFamily(f"synqc_qubit_{metric}", help_text, labels=labels)
            for name, (metric, help_text) in QUBIT_GAUGES.items()
        }
        status = GaugeMetricFamily(
            "synqc_qubit_status",
            "qubit_drift_v1 status of the qubit: 0 ok, 1 drifting, 2 degraded.",
            labels=labels,
        )
        for target, qubits in states.items():
            for state in qubits:
                key = [target, str(state.qubit)]
                status.add_metric(key, float(QUBIT_STATUS_VALUES[state.status]))
                for name, family in families.items():
                    value = getattr(state, name)
                    if value is not None and value.value is not None and value.quality == "good":
                        family.add_metric(key, float(value.value))
        yield from families.values()
        yield status

    def _monitors(self) -> Iterator[Metric]:
        try:
            with self._sources.database.unit_of_work() as session:
                monitors = [monitor_view(row) for row in RunRepository(session).monitors()]
        except Exception:
            log.warning("metrics: monitors unavailable", exc_info=True)
            return
        success = GaugeMetricFamily(
            "synqc_monitor_last_success_timestamp_seconds",
            "Unix time of the monitor's latest succeeded run.",
            labels=["monitor"],
        )
        interval = GaugeMetricFamily(
            "synqc_monitor_interval_seconds",
            "The active monitor's period (cron: the gap between its next two ticks).",
            labels=["monitor"],
        )
        for monitor in monitors:
            if monitor.last_success_at is not None:
                success.add_metric([monitor.id], monitor.last_success_at)
            if not monitor.paused:
                interval.add_metric([monitor.id], monitor.interval_seconds)
        yield success
        yield interval

    def _budget(self) -> Iterator[Metric]:
        snapshot = self._budget_snapshot()
        if snapshot is None:
            return
        connected = GaugeMetricFamily(
            "synqc_redis_connected",
            "1 while the budget counters live in a Redis that answers, else 0.",
            labels=["backend"],
        )
        connected.add_metric([snapshot.backend], 1.0 if snapshot.redis_connected else 0.0)
        yield connected
        session_keys = GaugeMetricFamily(
            "synqc_budget_session_keys",
            "Sessions that currently hold a shot budget.",
            labels=["backend"],
        )
        session_keys.add_metric([snapshot.backend], float(snapshot.session_keys))
        yield session_keys
        churn = CounterMetricFamily(
            "synqc_budget_session_key_churn",
            "Sessions opened by this process's budget reservations since it started.",
            labels=["backend"],
        )
        churn.add_metric([snapshot.backend], float(snapshot.key_churn))
        yield churn

    def _budget_snapshot(self) -> BudgetSnapshot | None:
        # The same reading as /health, so the two agree.
        try:
            return budget_snapshot(self._sources.budget)
        except Exception:
            log.warning("metrics: budget tracker unavailable", exc_info=True)
            return None

    def _queue(self) -> Iterator[Metric]:
        backend = GaugeMetricFamily(
            "synqc_queue_backend_info",
            "1, labelled with the queue this process uses (dramatiq-redis in production).",
            labels=["backend"],
        )
        backend.add_metric([self._sources.queue.backend], 1.0)
        yield backend
        yield GaugeMetricFamily(
            "synqc_queue_max_workers",
            "Worker threads per worker process.",
            value=float(self._sources.queue.max_workers),
        )
        counts = self._queue_counts()
        if counts is None:
            return
        yield GaugeMetricFamily(
            "synqc_queue_jobs_queued",
            "Runs waiting in the queue (run table).",
            value=float(counts.by_status.get(RunState.QUEUED.value, 0)),
        )
        yield GaugeMetricFamily(
            "synqc_queue_jobs_running",
            "Runs being executed (run table).",
            value=float(counts.by_status.get(RunState.RUNNING.value, 0)),
        )
        oldest = counts.oldest_queued_created_at
        age = 0.0 if oldest is None else max(0.0, self._sources.clock() - oldest)
        yield GaugeMetricFamily(
            "synqc_queue_oldest_queued_age_seconds",
            "Age of the oldest queued run in seconds; 0 when nothing is queued.",
            value=age,
        )

    def _queue_counts(self) -> QueueCounts | None:
        try:
            with self._sources.database.unit_of_work() as session:
                return RunRepository(session).queue_counts()
        except Exception:
            log.warning("metrics: queue counts unavailable", exc_info=True)
            return None


class _ProcessLabelled:
    """Adds `process=<name>` to every sample of another collector."""

    def __init__(self, inner: Collector, process: str) -> None:
        self._inner = inner
        self._process = process

    def collect(self) -> Iterator[Metric]:
        for family in self._inner.collect():
            labelled = Metric(family.name, family.documentation, family.type, family.unit)
            labelled.samples = [
                sample._replace(labels={**sample.labels, PROCESS_LABEL: self._process})
                for sample in family.samples
            ]
            yield labelled


def _register(registry: CollectorRegistry, sources: CollectorSources, process: str) -> None:
    registry.register(_ProcessLabelled(SharedStateCollector(sources), process))
    registry.register(_ProcessLabelled(sources.run_metrics, process))


@dataclass
class MetricsExporter:
    """A running /metrics server; `stop()` closes its socket and joins its thread."""

    port: int
    process: str
    registry: CollectorRegistry
    _server: WSGIServer
    _thread: Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metrics"

    def stop(self, timeout_s: float = 5.0) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout_s)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_exporter(
    settings: Settings,
    sources: CollectorSources,
    *,
    role: str = "api",
    host: str = "0.0.0.0",
) -> MetricsExporter | None:
    """Serve /metrics for this process, or None when `settings.enable_metrics` is off.

    - Binds the first free port of `metrics_port … metrics_port + PORT_SPAN - 1`; port 0 lets
      the system pick one (tests). Raises OSError when none is free.
    - `role` names the process kind (`api`, `worker`); `process` becomes `<role>-<port>`.
    """
    if not settings.enable_metrics:
        return None
    first = settings.metrics_port
    ports = [0] if first == 0 else range(first, min(first + PORT_SPAN, 65536))
    registry = CollectorRegistry()
    server_class = _Server6 if ":" in host else _Server
    for port in ports:
        try:
            server = make_server(
                host, port, make_wsgi_app(registry), server_class, handler_class=_QuietHandler
            )
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            continue
        bound = server.server_port
        process = f"{role}-{bound}"
        _register(registry, sources, process)
        thread = Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL_S},
            name=f"metrics-exporter-{bound}",
            daemon=True,
        )
        thread.start()
        log.info("metrics on %s:%d as process %s", host, bound, process)
        return MetricsExporter(bound, process, registry, server, thread)
    raise OSError(errno.EADDRINUSE, f"no free metrics port in {first}..{first + PORT_SPAN - 1}")


class _Server(ThreadingMixIn, WSGIServer):
    # Each scrape gets a thread; a stuck client must not hold up `stop()`.
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not worth a log line each."""
